#include "harness/command.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "harness/process.h"

namespace harness {
namespace {

// A private scratch file for captured output, deleted when the command is done.
class ScratchFile {
 public:
  ScratchFile() {
    std::string pattern = (std::filesystem::temp_directory_path() / "tunbench-cmd-XXXXXX").string();
    const int fd = ::mkstemp(pattern.data());
    if (fd < 0) throw std::runtime_error("mkstemp failed");
    ::close(fd);
    path_ = pattern;
  }
  ~ScratchFile() {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::string tail_lines(const std::string& text, std::size_t max_lines) {
  std::size_t end = text.size();
  while (end > 0 && text[end - 1] == '\n') --end;
  std::size_t pos = end;
  for (std::size_t lines = 0; pos > 0; --pos) {
    if (text[pos - 1] == '\n' && ++lines == max_lines) break;
  }
  return text.substr(pos, end - pos);
}

std::string join_command(const std::vector<std::string>& argv) {
  std::string joined;
  for (const auto& arg : argv) {
    if (!joined.empty()) joined += ' ';
    joined += arg;
  }
  return joined;
}

CommandResult run_command(const std::vector<std::string>& argv, const std::string& netns,
                          std::chrono::milliseconds timeout) {
  ScratchFile out, err;
  Process process = Process::spawn({argv, netns, out.path(), err.path()});
  CommandResult result;
  // Helper commands are short and bounded by `timeout`; they also run during teardown after a
  // signal, so they are never cut short by one.
  if (!process.wait_for(timeout, false)) {
    process.stop(std::chrono::milliseconds(200));
    result.exit_code = process.exit_status().value_or(-1);
    result.err = fmt::format("timed out after {} ms\n", timeout.count());
  } else {
    result.exit_code = *process.exit_status();
  }
  result.out = read_file(out.path());
  result.err += read_file(err.path());
  return result;
}

std::string run_checked(const std::vector<std::string>& argv, const std::string& netns,
                        std::chrono::milliseconds timeout) {
  CommandResult result = run_command(argv, netns, timeout);
  if (!result.ok()) {
    throw std::runtime_error(fmt::format("`{}`{} failed (exit {}): {}", join_command(argv),
                                         netns.empty() ? "" : " in " + netns, result.exit_code,
                                         tail_lines(result.err, 5)));
  }
  return result.out;
}

}  // namespace harness

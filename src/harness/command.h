#pragma once
// Short helper programs (ip, ss, iperf3 --version): run to completion, output captured.
#include <chrono>
#include <string>
#include <vector>

namespace harness {

struct CommandResult {
  int exit_code = -1;  // 128 + signal when killed, e.g. on timeout
  std::string out;
  std::string err;
  bool ok() const { return exit_code == 0; }
};

// Runs argv (inside `netns` when not empty) for at most `timeout`, even after SIGINT (teardown
// uses it). Throws when argv[0] cannot run.
CommandResult run_command(const std::vector<std::string>& argv, const std::string& netns = {},
                          std::chrono::milliseconds timeout = std::chrono::milliseconds(10000));

// Same, but a non-zero exit becomes std::runtime_error naming the command and its stderr.
std::string run_checked(const std::vector<std::string>& argv, const std::string& netns = {},
                        std::chrono::milliseconds timeout = std::chrono::milliseconds(10000));

// "ip -n NS a b c" as one readable string for error messages.
std::string join_command(const std::vector<std::string>& argv);

// The whole file, or "" when it cannot be read (used for logs of children).
std::string read_file(const std::string& path);
// The last `max_lines` lines of a text, to show a child's stderr without flooding the terminal.
std::string tail_lines(const std::string& text, std::size_t max_lines);

}  // namespace harness

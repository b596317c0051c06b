#include "tunbench/shared.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include <fmt/format.h>

#include "harness/command.h"
#include "harness/label.h"
#include "harness/suts.h"

namespace tunbench_app {

namespace fs = std::filesystem;

std::string find_binary(const std::string& name, const std::string& given) {
  if (!given.empty()) return given;
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  for (const fs::path& candidate : {self.parent_path() / name, self.parent_path().parent_path() / name / name})
    if (fs::exists(candidate, ec)) return candidate.string();
  return {};
}

std::pair<std::string, std::string> label_and(const std::string& spec, const std::string& option,
                                              const std::string& rest) {
  const auto eq = spec.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size())
    throw std::invalid_argument(fmt::format("{} expects 'LABEL={}', got '{}'", option, rest, spec));
  return {spec.substr(0, eq), spec.substr(eq + 1)};
}

harness::SutSpec tunfwd_sut(const std::string& tunfwd, const std::string& mode) {
  auto sut = harness::suts::forwarder({tunfwd, "--mode", mode, "--ip1", harness::kClientAddress, "--ip2",
                                       harness::kServerAddress, "--stats-json", "{stats_json}"},
                                      "tunfwd-stats/1");
  sut.implementation = harness::kOurImplementation;
  sut.mode = mode;
  return sut;
}

harness::SutSpec command_forwarder_sut(const std::string& label, const std::string& command) {
  // Through sh so users can quote arguments; `exec` keeps the forwarder's own pid for the monitor.
  return named_by_label(harness::suts::forwarder({"/bin/sh", "-c", "exec " + command}), label, "--forwarder");
}

harness::SutSpec named_by_label(harness::SutSpec sut, const std::string& label, const std::string& option) {
  if (!sut.implementation.empty()) return sut;
  try {
    const auto i = harness::implementation_from_label(label);
    sut.implementation = i.name;
    sut.mode = i.mode;
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(fmt::format("{}: {}", option, e.what()));
  }
  return sut;
}

void preflight(const std::string& subcommand, bool tun) {
  if (::geteuid() != 0)
    throw std::runtime_error(fmt::format("tunbench {} needs root (network namespaces, TUN devices)", subcommand));
  try {
    harness::run_checked({"iperf3", "--version"});
  } catch (const std::exception&) {
    throw std::runtime_error("iperf3 is not installed (ci/setup.sh installs it)");
  }
  if (tun && !fs::exists("/dev/net/tun")) throw std::runtime_error("/dev/net/tun is missing: no TUN support here");
}

void Progress::show(const std::string& text) {
  if (!isatty(STDERR_FILENO)) return;
  std::fprintf(stderr, "\r\033[K  %s", text.c_str());
  shown_ = true;
}

void Progress::clear() {
  if (shown_) std::fputs("\r\033[K", stderr);
  shown_ = false;
}

}  // namespace tunbench_app

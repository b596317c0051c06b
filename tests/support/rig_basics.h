#pragma once
// What the TUN rigs (tun_rig.h: tunfwd; stack_tun_rig.h: tunstack) share: unique namespace
// suffixes, sizes from the environment, and the endpoints' JSON reports.
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

namespace tbtest {

// A suffix that makes harness namespaces (tb-a-<tag>-…) unique to this process and call, for
// every rig alike.
inline std::string namespace_tag() {
  static std::atomic<int> counter{0};
  return std::to_string(::getpid() % 100000) + "r" + std::to_string(counter++);
}

// An environment variable as a number (TB_XFER_MB=64); `fallback` when unset or empty.
inline std::uint64_t env_or(const char* name, std::uint64_t fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::strtoull(v, nullptr, 10) : fallback;
}

// The last line of a file that is a JSON object (an endpoint's report); null when there is none,
// discarded (not an object) when it does not parse.
inline nlohmann::json last_json_line(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::string line, last;
  while (std::getline(in, line))
    if (!line.empty() && line.front() == '{') last = line;
  return last.empty() ? nlohmann::json() : nlohmann::json::parse(last, nullptr, false);
}

}  // namespace tbtest

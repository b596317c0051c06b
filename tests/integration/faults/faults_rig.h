#pragma once
// What only the fault tests need, on top of the shared forwarder rig: counter balance checks,
// CPU time and /proc status fields of the forwarder.
#include <iostream>
#include <optional>
#include <sstream>

#include "support/tun_rig.h"

namespace tbtest {

// Shows the counters lines tunfwd printed in the test log (the figures the fault runs report).
inline void show(const std::string& what, const std::string& tunfwd_out) {
  std::istringstream lines(tunfwd_out);
  for (std::string line; std::getline(lines, line);)
    if (line.find("gso-fallbacks") != std::string::npos) std::cout << "[ info     ] " << what << ": " << line << "\n";
}

// The balance of counters/tally.h, for one direction, as gtest failures.
inline void expect_balanced(const harness::DirectionStats& d, bool offload, const std::string& context) {
  SCOPED_TRACE(d.from + "→" + d.to + " " + context);
  EXPECT_EQ(d.packets, d.written + d.dropped) << "packets read must be written or dropped";
  EXPECT_EQ(d.dropped, d.reason_sum()) << "every drop has a reason";
  EXPECT_LE(d.reads, d.packets) << "a read yields at least one packet";
  EXPECT_LE(d.writes, d.written) << "a write carries at least one packet";
  EXPECT_LE(d.batches, d.reads);
  if (!offload) {
    // Without offload one read is one packet and one write one packet.
    EXPECT_EQ(d.reads, d.packets);
    EXPECT_EQ(d.writes, d.written);
    EXPECT_EQ(d.gso_fallbacks, 0u);
  }
}

// CPU time (user + system, all threads) of a process in clock ticks, from /proc/PID/stat.
inline std::optional<std::uint64_t> cpu_ticks(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto close = text.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream rest(text.substr(close + 2));
  std::vector<std::string> f;
  for (std::string w; rest >> w;) f.push_back(w);
  // After the comm: state(3) … utime(14) stime(15) → indices 11 and 12 from the state.
  if (f.size() < 13) return std::nullopt;
  return std::stoull(f[11]) + std::stoull(f[12]);
}

// A field of /proc/PID/status ("Uid", "CapEff"), whitespace-trimmed.
inline std::string status_field(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.starts_with(field + ":")) {
      const auto v = line.find_first_not_of(" \t", field.size() + 1);
      const auto e = line.find_last_not_of(" \t");
      return v == std::string::npos ? "" : line.substr(v, e + 1 - v);
    }
  return "";
}

}  // namespace tbtest

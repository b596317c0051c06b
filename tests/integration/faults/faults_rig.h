#pragma once
// What only the fault tests need, on top of the shared forwarder rig: counter balance checks and
// the CPU time of the forwarder.
#include <sys/types.h>

#include <cstdint>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>

#include "harness/command.h"
#include "harness/proc_parse.h"
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

// CPU time (user + system, all threads) of a process in clock ticks, read with the harness's own
// /proc/PID/stat parser; nullopt when the process is gone.
inline std::optional<std::uint64_t> cpu_ticks(pid_t pid) {
  const auto stat = harness::parse_pid_stat(harness::read_file("/proc/" + std::to_string(pid) + "/stat"));
  if (!stat) return std::nullopt;
  return stat->cpu_ticks();
}

}  // namespace tbtest

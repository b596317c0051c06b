// The arithmetic of the monitor on synthetic samples (the sampling itself reads /proc live).
#include "harness/monitor.h"

#include <gtest/gtest.h>

using namespace harness;
using std::chrono::milliseconds;

namespace {
std::vector<TreeSample> steady(int count, std::uint64_t ticks_per_step, std::uint64_t rss_kb) {
  const auto t0 = std::chrono::steady_clock::time_point{};
  std::vector<TreeSample> samples;
  samples.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i)
    samples.push_back({t0 + milliseconds(100 * i), static_cast<std::uint64_t>(i) * ticks_per_step, rss_kb});
  return samples;
}
}  // namespace

TEST(Monitor, SteadyLoadGivesTheSameAverageAndMaximum) {
  // 5 ticks per 100 ms at 100 Hz = half a core.
  const auto s = summarize_tree(steady(31, 5, 2048), 100);
  EXPECT_NEAR(s.cpu_avg, 50.0, 1e-9);
  EXPECT_NEAR(s.cpu_max, 50.0, 1e-9);
  EXPECT_NEAR(s.mem_avg_mb, 2.0, 1e-9);
  EXPECT_NEAR(s.mem_max_mb, 2.0, 1e-9);
  EXPECT_EQ(s.samples, 31);
}

TEST(Monitor, BurstShowsInTheOneSecondMaximumNotTheAverage) {
  auto samples = steady(31, 5, 1024);
  // One second (samples 10..20) at two full cores instead of half a core.
  for (std::size_t i = 11; i < samples.size(); ++i) samples[i].ticks += (std::min<std::size_t>(i, 20) - 10) * 15;
  samples[25].rss_kb = 4096;
  const auto s = summarize_tree(samples, 100);
  EXPECT_NEAR(s.cpu_max, 200.0, 1e-9);
  EXPECT_NEAR(s.cpu_avg, 100.0, 1e-9);  // 300 ticks over 3 s
  EXPECT_NEAR(s.mem_max_mb, 4.0, 1e-9);
  EXPECT_NEAR(s.mem_avg_mb, (30 * 1.0 + 4.0) / 31, 1e-9);
}

TEST(Monitor, ChildLeavingTheTreeNeverMakesCpuNegative) {
  auto samples = steady(11, 5, 1024);
  samples.back().ticks = 0;  // the tree lost a child with all its ticks
  const auto s = summarize_tree(samples, 100);
  EXPECT_GE(s.cpu_avg, 0.0);
  EXPECT_GE(s.cpu_max, 0.0);
}

TEST(Monitor, NoSamplesGiveZeros) {
  const auto s = summarize_tree({}, 100);
  EXPECT_EQ(s.samples, 0);
  EXPECT_EQ(s.cpu_avg, 0.0);
}

TEST(Monitor, DescendantsFollowTheParentChain) {
  const std::map<pid_t, pid_t> parent_of{{1, 0}, {10, 1}, {11, 10}, {12, 11}, {20, 1}, {13, 10}};
  auto tree = descendants({10}, parent_of);
  std::sort(tree.begin(), tree.end());
  EXPECT_EQ(tree, (std::vector<pid_t>{10, 11, 12, 13}));
  EXPECT_EQ(descendants({99}, parent_of), std::vector<pid_t>{99});
  // Several roots (a stack and its helper): both trees, each process once.
  auto both = descendants({11, 20}, parent_of);
  std::sort(both.begin(), both.end());
  EXPECT_EQ(both, (std::vector<pid_t>{11, 12, 20}));
}

// The machine's CPU is what the cores had less what they spent idle, waiting for I/O or stolen:
// those are measured, where user and system time come from the timer tick.
TEST(MachineCpu, IsTheCoresLessTheirIdleIowaitAndSteal) {
  struct Case {
    const char* rule;
    CpuTimes delta;  // ticks added between the two readings: 2 cores at 100 Hz over 2 s have 400
    double expected;
  };
  const Case cases[] = {
      {"idle throughout reads 0", {.idle = 400}, 0.0},
      {"never idle reads 200: both cores busy", {.user = 250, .system = 150}, 200.0},
      {"half the idle time left is one core busy", {.user = 10, .idle = 200}, 100.0},
      {"user and system ticks do not count: the tick misses short bursts", {.user = 5, .idle = 300}, 50.0},
      {"waiting for I/O is not busy", {.idle = 100, .iowait = 100}, 100.0},
      {"time the hypervisor stole is not ours", {.idle = 200, .steal = 200}, 0.0},
      {"more idle than the wall clock allows (readings a moment apart) reads 0", {.idle = 410}, 0.0},
  };
  const CpuTimes first{
      .user = 1000, .nice = 10, .system = 500, .idle = 9000, .iowait = 5, .irq = 7, .softirq = 70, .steal = 3};
  for (const auto& c : cases) {
    CpuTimes last = first;
    last.user += c.delta.user;
    last.system += c.delta.system;
    last.idle += c.delta.idle;
    last.iowait += c.delta.iowait;
    last.steal += c.delta.steal;
    EXPECT_NEAR(machine_cpu_percent(first, last, 100, 2.0, 2), c.expected, 1e-9) << c.rule;
  }
}

TEST(MachineCpu, NoTimeOrNoCoresGiveZero) {
  const CpuTimes first{.user = 1000, .idle = 5000};
  CpuTimes later = first;
  later.idle += 100;
  EXPECT_EQ(machine_cpu_percent(first, later, 100, 0.0, 2), 0.0);  // no wall time passed
  EXPECT_EQ(machine_cpu_percent(first, later, 100, 1.0, 0), 0.0);  // no cores known
  EXPECT_NEAR(machine_cpu_percent(first, later, 100, 1.0, 2), 100.0, 1e-9);
  EXPECT_NEAR(machine_cpu_percent(first, later, 100, 1.0, 1), 0.0, 1e-9);
}

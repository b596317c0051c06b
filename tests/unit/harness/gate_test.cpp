// Compare verdicts on synthetic runs with planted changes.
#include "harness/gate.h"

#include <random>

#include <gtest/gtest.h>

#include "support/run_rows.h"

using namespace harness;

namespace {

// `n` values around `center` with ±`spread` relative noise, deterministic.
std::vector<double> noisy(double center, int n, double spread, unsigned seed) {
  std::mt19937 random(seed);
  std::uniform_real_distribution<double> noise(-spread, spread);
  std::vector<double> values;
  values.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) values.push_back(center * (1 + noise(random)));
  return values;
}

RunResult run_with(const std::vector<double>& veth, const std::vector<double>& fwd, double cpu, double mem) {
  RunResult run;
  RowResult v = tbtest::baseline_row("kernel veth", kKernelVeth);
  RowResult f = tbtest::tunfwd_row("sync-gso", true, false);
  for (std::size_t i = 0; i < veth.size(); ++i) {
    Sample a;
    a.pass = static_cast<int>(i) + 1;
    a.ok = true;
    a.iperf.gbps = veth[i];
    v.samples.push_back(a);
    Sample b = a;
    b.iperf.gbps = fwd[i];
    b.monitor.cpu_avg = cpu;
    b.monitor.mem_max_mb = mem;
    f.samples.push_back(b);
  }
  run.rows = {v, f};
  run.compute_ratios();
  return run;
}

}  // namespace

TEST(Gate, PlantedTenPercentSlowdownOverTenRepeatsIsARegression) {
  const auto base = noisy(1.0, 10, 0.02, 1);
  const auto head = noisy(0.9, 10, 0.02, 2);
  const auto c = compare_metric("throughput", base, head, true, GateOptions{});
  EXPECT_EQ(c.verdict, Verdict::regressed);
  EXPECT_NEAR(c.change_percent, -10.0, 3.0);
  EXPECT_LT(c.test.p_value, 0.05);
  EXPECT_LT(c.ratio_interval.high, 1.0);
}

TEST(Gate, IdenticalDistributionsPass) {
  const auto values = noisy(1.0, 10, 0.05, 3);
  const auto c = compare_metric("throughput", values, values, true, GateOptions{});
  EXPECT_EQ(c.verdict, Verdict::unchanged);
  // Two draws of the same distribution: no verdict either.
  const auto other =
      compare_metric("throughput", noisy(1.0, 10, 0.05, 4), noisy(1.0, 10, 0.05, 5), true, GateOptions{});
  EXPECT_EQ(other.verdict, Verdict::unchanged);
}

TEST(Gate, SignificantButSmallerThanToleranceIsUnchanged) {
  const auto c = compare_metric("throughput", noisy(1.0, 10, 0.002, 6), noisy(0.98, 10, 0.002, 7), true, GateOptions{});
  EXPECT_LT(c.test.p_value, 0.05);
  EXPECT_EQ(c.verdict, Verdict::unchanged);  // −2 % within the default 5 %
}

TEST(Gate, NoiseWidensTheTolerance) {
  // ±30 % noise: a 10 % move is not something this data can resolve.
  const auto c = compare_metric("throughput", noisy(1.0, 10, 0.3, 8), noisy(0.9, 10, 0.3, 9), true, GateOptions{});
  EXPECT_GT(c.tolerance_percent, 10.0);
  EXPECT_NE(c.verdict, Verdict::regressed);
}

TEST(Gate, LowerIsBetterMetricsRegressUpwards) {
  const auto c = compare_metric("CPU/Gbps", noisy(10, 8, 0.02, 10), noisy(12, 8, 0.02, 11), false, GateOptions{});
  EXPECT_EQ(c.verdict, Verdict::regressed);
  const auto better = compare_metric("CPU/Gbps", noisy(10, 8, 0.02, 10), noisy(8, 8, 0.02, 11), false, GateOptions{});
  EXPECT_EQ(better.verdict, Verdict::improved);
}

TEST(Gate, TooFewSamplesAreInconclusive) {
  const auto c = compare_metric("throughput", {1.0, 1.0}, {0.5, 0.5}, true, GateOptions{});
  EXPECT_EQ(c.verdict, Verdict::inconclusive);
}

TEST(Gate, RunsCompareNormalisedThroughputPerRow) {
  // The machine got 10 % faster overall (veth too): the forwarder's ratio did not move.
  const auto base = run_with(noisy(10, 10, 0.01, 12), noisy(5, 10, 0.01, 13), 100, 4);
  const auto faster_machine = run_with(noisy(11, 10, 0.01, 14), noisy(5.5, 10, 0.01, 15), 100 * 1.1 / 1.1, 4);
  const auto same = compare_runs(base, faster_machine, GateOptions{});
  ASSERT_EQ(same.rows.size(), 2u);
  EXPECT_EQ(same.rows[1].metrics[0].metric, "throughput ÷ veth");
  EXPECT_EQ(same.rows[1].metrics[0].verdict, Verdict::unchanged);

  // The forwarder alone lost 10 %.
  const auto slower = run_with(noisy(10, 10, 0.01, 16), noisy(4.5, 10, 0.01, 17), 100, 4);
  const auto c = compare_runs(base, slower, GateOptions{});
  EXPECT_TRUE(c.regression());
  EXPECT_EQ(c.rows[1].metrics[0].verdict, Verdict::regressed);
}

TEST(Gate, RowsPresentOnOneSideOnly) {
  auto base = run_with(noisy(10, 3, 0.01, 1), noisy(5, 3, 0.01, 2), 100, 4);
  auto head = base;
  head.rows[1].label = "async-gso";
  const auto c = compare_runs(base, head, GateOptions{});
  ASSERT_EQ(c.rows.size(), 3u);
  EXPECT_EQ(c.rows[1].missing, "only in head");
  EXPECT_EQ(c.rows[2].missing, "only in base");
  EXPECT_FALSE(c.regression());
}

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

namespace {

// Per-pass machine drift shared by both sides of a pass (±`drift`), times each side's own small
// noise (±`noise`): what an interleaved run of two builds looks like.
struct Passes {
  std::vector<double> base, head;
};
Passes drifting(int n, double drift, double noise, double head_factor, unsigned seed) {
  std::mt19937 random(seed);
  std::uniform_real_distribution<double> d(-drift, drift), e(-noise, noise);
  Passes p;
  for (int i = 0; i < n; ++i) {
    const double machine = 1 + d(random);
    p.base.push_back(machine * (1 + e(random)));
    p.head.push_back(machine * head_factor * (1 + e(random)));
  }
  return p;
}

GateOptions paired() {
  GateOptions o;
  o.paired = true;
  return o;
}

}  // namespace

TEST(GatePaired, ASlowdownHiddenByPassDriftIsARegressionWhenPaired) {
  const auto p = drifting(10, 0.15, 0.005, 0.93, 21);
  const auto unpaired = compare_metric("throughput", p.base, p.head, true, GateOptions{});
  EXPECT_NE(unpaired.verdict, Verdict::regressed);  // the drift widens its tolerance past 7 %
  const auto c = compare_paired_metric("throughput", p.base, p.head, true, paired());
  EXPECT_TRUE(c.paired);
  EXPECT_EQ(c.verdict, Verdict::regressed);
  EXPECT_NEAR(c.change_percent, -7.0, 1.0);
  EXPECT_DOUBLE_EQ(c.p_value(), 2.0 / 1024.0);  // every pass slower: the smallest exact p for 10 pairs
  EXPECT_LT(c.ratio_interval.high, 1.0);
}

TEST(GatePaired, TheSameBuildOnBothSidesIsUnchanged) {
  for (unsigned seed = 30; seed < 40; ++seed) {
    const auto p = drifting(10, 0.15, 0.01, 1.0, seed);
    const auto c = compare_paired_metric("throughput", p.base, p.head, true, paired());
    EXPECT_EQ(c.verdict, Verdict::unchanged) << "seed " << seed;
    EXPECT_LT(std::abs(c.change_percent), 5.0) << "seed " << seed;
  }
}

TEST(GatePaired, SignificantButWithinToleranceIsUnchanged) {
  const auto p = drifting(10, 0.15, 0.001, 0.98, 41);
  const auto c = compare_paired_metric("throughput", p.base, p.head, true, paired());
  EXPECT_LT(c.p_value(), 0.05);
  EXPECT_EQ(c.verdict, Verdict::unchanged);  // −2 % within the default 5 %
}

TEST(GatePaired, FewerThanSixPairsAreInconclusive) {
  const auto p = drifting(5, 0.1, 0.001, 0.5, 42);
  const auto c = compare_paired_metric("throughput", p.base, p.head, true, paired());
  EXPECT_EQ(c.verdict, Verdict::inconclusive);
  EXPECT_NE(c.note.find("6 passes"), std::string::npos) << c.note;
  EXPECT_THROW(compare_paired_metric("throughput", {1.0, 2.0}, {1.0}, true, paired()), std::invalid_argument);
}

TEST(GatePaired, RunsPairSamplesByPassNotByPosition) {
  auto veth = noisy(10, 10, 0.01, 43);
  const auto p = drifting(10, 0.15, 0.002, 0.9, 44);
  std::vector<double> base_gbps, head_gbps;
  for (std::size_t i = 0; i < 10; ++i) {
    base_gbps.push_back(5 * p.base[i]);
    head_gbps.push_back(5 * p.head[i]);
  }
  const auto base = run_with(veth, base_gbps, 100, 4);
  auto head = run_with(veth, head_gbps, 100, 4);
  // Head's samples in another order, and its pass 3 failed: pairing goes by the pass index.
  std::reverse(head.rows[1].samples.begin(), head.rows[1].samples.end());
  for (auto& s : head.rows[1].samples)
    if (s.pass == 3) s.ok = false;
  ASSERT_EQ(unpairable(base, head), "");
  const auto c = compare_runs(base, head, paired());
  const auto& throughput = c.rows[1].metrics[0];
  EXPECT_EQ(throughput.metric, "throughput ÷ veth");
  EXPECT_EQ(throughput.base_n, 9u);
  EXPECT_EQ(throughput.verdict, Verdict::regressed);
  EXPECT_NEAR(throughput.change_percent, -10.0, 1.0);
  // The same CPU % over 10 % fewer Gbps: 11 % more CPU per Gbps.
  EXPECT_EQ(c.rows[1].metrics[1].metric, "CPU/Gbps");
  EXPECT_EQ(c.rows[1].metrics[1].verdict, Verdict::regressed);
}

TEST(GatePaired, FilesFromTwoRunsCannotBePaired) {
  const auto a = run_with(noisy(10, 6, 0.01, 45), noisy(5, 6, 0.01, 46), 100, 4);
  const auto b = run_with(noisy(10, 6, 0.01, 47), noisy(5, 6, 0.01, 48), 100, 4);
  EXPECT_NE(unpairable(a, b).find("not two sides of one run"), std::string::npos);
  RunResult no_veth = b;
  no_veth.rows.erase(no_veth.rows.begin());
  EXPECT_NE(unpairable(a, no_veth).find("veth row"), std::string::npos);
}

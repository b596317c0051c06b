// Ours against other implementations in the same run (report/side_by_side.h): which rows are
// paired, the quotient pass by pass, the count of passes ahead, the verdict, best against best.
#include "report/side_by_side.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/run_rows.h"

namespace {

using harness::RowResult;
using harness::RunResult;
using harness::Sample;

// Samples whose ratios are given pass by pass (pass = index + 1); a ratio of 0 is a failed pass.
std::vector<Sample> passes(const std::vector<double>& ratios, double cpu_per_gbps = 5, double rss = 3,
                           std::int64_t retr = 0) {
  std::vector<Sample> out;
  for (std::size_t i = 0; i < ratios.size(); ++i) {
    const double gbps = ratios[i] * 10;
    Sample s = tbtest::sample(static_cast<int>(i) + 1, gbps, cpu_per_gbps * gbps, rss, retr);
    s.ratio = ratios[i];
    s.ok = ratios[i] > 0;
    out.push_back(s);
  }
  return out;
}

RowResult ours(const std::string& mode, const std::vector<double>& ratios, std::string direction = "up") {
  RowResult r = tbtest::tunfwd_row(mode, true, false, passes(ratios));
  r.direction = std::move(direction);
  return r;
}

RowResult twin(const std::string& mode, const std::vector<double>& ratios, std::string direction = "up") {
  RowResult r = tbtest::forwarder_row("tun-rs/" + mode, "/bin/x", passes(ratios, 8, 6, 1000), "tun-rs", mode);
  r.direction = std::move(direction);
  return r;
}

RowResult veth(const std::vector<double>& ratios) {
  return tbtest::baseline_row("kernel veth", "kernel-veth", passes(ratios));
}

std::vector<std::string> labels(const std::vector<report::PairedRows>& pairs) {
  std::vector<std::string> out;
  for (const auto& p : pairs) out.push_back(p.ours->label + " vs " + p.theirs->label);
  return out;
}

struct PairingCase {
  const char* name;
  std::vector<RowResult> rows;
  std::vector<std::string> want;
};

class TwinsArePairedByModeAndDirection : public testing::TestWithParam<PairingCase> {};

TEST_P(TwinsArePairedByModeAndDirection, Rule) {
  RunResult run;
  run.rows = GetParam().rows;
  EXPECT_EQ(labels(report::twins(run)), GetParam().want);
}

INSTANTIATE_TEST_SUITE_P(
    SideBySide, TwinsArePairedByModeAndDirection,
    testing::Values(
        PairingCase{"SameModeSameDirection",
                    {veth({1, 1}), ours("sync-gso", {0.7, 0.7}), twin("sync-gso", {0.5, 0.5})},
                    {"sync-gso vs tun-rs/sync-gso"}},
        PairingCase{"TwinBeforeOursStillPaired",
                    {twin("sync-gso", {0.5}), ours("sync-gso", {0.7})},
                    {"sync-gso vs tun-rs/sync-gso"}},
        PairingCase{"OtherModeNotPaired", {ours("sync-gso", {0.7}), twin("async-gso", {0.5})}, {}},
        PairingCase{"OtherDirectionNotPaired", {ours("sync-gso", {0.7}, "up"), twin("sync-gso", {0.5}, "down")}, {}},
        PairingCase{"KernelBaselineNeverATwin", {veth({1}), ours("sync-gso", {0.7})}, {}},
        PairingCase{"EveryOtherImplementationOfTheMode",
                    {ours("sync-gso", {0.7}), twin("sync-gso", {0.5}),
                     tbtest::forwarder_row("go/sync-gso", "/bin/go", passes({0.4}), "go", "sync-gso")},
                    {"sync-gso vs tun-rs/sync-gso", "sync-gso vs go/sync-gso"}}),
    [](const auto& test) { return std::string(test.param.name); });

TEST(SideBySide, QuotientIsTheMedianOfPerPassQuotientsNotOfMedians) {
  // Per pass 1.2, 1.5, 0.8: median 1.2. The medians' quotient would be 0.8 / 0.6 = 1.33.
  const auto p = report::pair_rows(ours("m", {0.6, 0.9, 0.8}), twin("m", {0.5, 0.6, 1.0}));
  ASSERT_EQ(p.quotients.size(), 3U);
  EXPECT_DOUBLE_EQ(p.quotients[0], 1.2);
  EXPECT_DOUBLE_EQ(p.quotients[1], 1.5);
  EXPECT_DOUBLE_EQ(p.quotients[2], 0.8);
  ASSERT_TRUE(p.quotient());
  EXPECT_DOUBLE_EQ(*p.quotient(), 1.2);
  EXPECT_EQ(p.ahead, 2U);
  ASSERT_TRUE(p.ours_ratio && p.theirs_ratio);
  EXPECT_DOUBLE_EQ(*p.ours_ratio, 0.8);
  EXPECT_DOUBLE_EQ(*p.theirs_ratio, 0.6);
}

TEST(SideBySide, PassFailedOnEitherSideIsLeftOut) {
  const auto p = report::pair_rows(ours("m", {0.6, 0, 0.8, 0.7}), twin("m", {0.5, 0.6, 0, 0.7}));
  ASSERT_EQ(p.quotients.size(), 2U);  // passes 1 and 4
  EXPECT_DOUBLE_EQ(p.quotients[0], 1.2);
  EXPECT_DOUBLE_EQ(p.quotients[1], 1.0);
  EXPECT_EQ(p.ahead, 1U);  // a tie is not a lead
}

TEST(SideBySide, WithoutABaselineThePassesGbpsArePaired) {
  auto a = ours("m", {0.6, 0.9});
  auto b = twin("m", {0.5, 0.6});
  for (auto* row : {&a, &b})
    for (auto& s : row->samples) s.ratio = 0;  // --baselines none
  const auto p = report::pair_rows(a, b);
  EXPECT_FALSE(p.ours_ratio);
  ASSERT_EQ(p.quotients.size(), 2U);
  EXPECT_DOUBLE_EQ(p.quotients[0], 6.0 / 5.0);
  EXPECT_DOUBLE_EQ(p.quotients[1], 9.0 / 6.0);
}

TEST(SideBySide, NoCommonPassHasNoQuotient) {
  const auto p = report::pair_rows(ours("m", {0.6, 0}), twin("m", {0, 0.5}));
  EXPECT_TRUE(p.quotients.empty());
  EXPECT_FALSE(p.quotient());
  EXPECT_EQ(report::verdict(p), "no common pass");
}

TEST(SideBySide, CostsComeFromEachRowsOwnSamples) {
  const auto p = report::pair_rows(ours("m", {0.6, 0.7, 0.8}), twin("m", {0.5, 0.6, 0.7}));
  ASSERT_TRUE(p.ours_cpu_per_gbps && p.theirs_cpu_per_gbps);
  EXPECT_DOUBLE_EQ(*p.ours_cpu_per_gbps, 5);
  EXPECT_DOUBLE_EQ(*p.theirs_cpu_per_gbps, 8);
  EXPECT_DOUBLE_EQ(p.ours_rss_mb, 3);
  EXPECT_DOUBLE_EQ(p.theirs_rss_mb, 6);
  EXPECT_DOUBLE_EQ(p.ours_retransmits, 0);
  EXPECT_DOUBLE_EQ(p.theirs_retransmits, 1000);
}

struct VerdictCase {
  const char* name;
  std::vector<double> ours, theirs;
  std::string want;
};

class VerdictNeedsAConsistentLead : public testing::TestWithParam<VerdictCase> {};

TEST_P(VerdictNeedsAConsistentLead, Rule) {
  const auto p = report::pair_rows(ours("m", GetParam().ours), twin("m", GetParam().theirs));
  EXPECT_EQ(report::verdict(p).substr(0, GetParam().want.size()), GetParam().want) << report::verdict(p);
}

INSTANTIATE_TEST_SUITE_P(
    SideBySide, VerdictNeedsAConsistentLead,
    testing::Values(
        // Six passes all one way: exact two-sided p = 2 / 64 = 0.031.
        VerdictCase{
            "SixPassesAheadIsAhead", {0.7, 0.71, 0.72, 0.73, 0.74, 0.75}, {0.5, 0.5, 0.5, 0.5, 0.5, 0.5}, "ahead"},
        VerdictCase{
            "SixPassesBehindIsBehind", {0.4, 0.41, 0.42, 0.43, 0.44, 0.45}, {0.5, 0.5, 0.5, 0.5, 0.5, 0.5}, "behind"},
        // Five passes all one way: p = 2 / 32 = 0.0625, not enough.
        VerdictCase{"FivePassesCannotDecide", {0.7, 0.71, 0.72, 0.73, 0.74}, {0.5, 0.5, 0.5, 0.5, 0.5}, "within noise"},
        VerdictCase{
            "MixedLeadIsNoise", {0.7, 0.4, 0.72, 0.43, 0.74, 0.45}, {0.5, 0.5, 0.5, 0.5, 0.5, 0.5}, "within noise"}),
    [](const auto& test) { return std::string(test.param.name); });

TEST(SideBySide, BestAgainstBestPairsEachSidesHighestMedianPerImplementation) {
  RunResult run;
  run.rows = {veth({1, 1, 1}),
              ours("sync-gso", {0.6, 0.6, 0.6}),
              ours("passthrough", {0.7, 0.8, 0.75}),
              twin("sync-gso", {0.5, 0.5, 0.5}),
              twin("sync-gso-concurrent", {0.6, 0.5, 0.55}),
              tbtest::forwarder_row("go", "/bin/go", passes({0.4, 0.4, 0.4}))};
  const auto bests = report::best_against_best(run);
  EXPECT_EQ(labels(bests),
            (std::vector<std::string>{"passthrough vs tun-rs/sync-gso-concurrent", "passthrough vs go"}));
  ASSERT_EQ(bests.size(), 2U);
  ASSERT_TRUE(bests[0].quotient());
  EXPECT_NEAR(*bests[0].quotient(), 0.75 / 0.55, 1e-12);  // per pass 7/6, 8/5, 75/55
  EXPECT_EQ(bests[0].ahead, 3U);
}

TEST(SideBySide, BestAgainstBestKeepsDirectionsApart) {
  RunResult run;
  run.rows = {ours("a", {0.9}, "up"), ours("a", {0.5}, "down"), twin("a", {0.6}, "up"), twin("a", {0.4}, "down")};
  const auto bests = report::best_against_best(run);
  ASSERT_EQ(bests.size(), 2U);
  EXPECT_EQ(bests[0].ours->direction, "up");
  EXPECT_EQ(bests[0].theirs->direction, "up");
  EXPECT_EQ(bests[1].ours->direction, "down");
  EXPECT_EQ(bests[1].theirs->direction, "down");
}

TEST(SideBySide, MarkdownOnlyWhenAnotherImplementationRan) {
  RunResult run;
  run.rows = {veth({1, 1}), ours("sync-gso", {0.7, 0.7})};
  EXPECT_EQ(report::markdown_side_by_side(run), "");
  run.rows.push_back(twin("sync-gso", {0.5, 0.5}));
  const std::string md = report::markdown_side_by_side(run);
  EXPECT_NE(md.find("## Side by side"), std::string::npos);
  EXPECT_NE(md.find("| sync-gso | tun-rs/sync-gso | 0.700 | 0.500 | 1.40 | 1.40–1.40 | 2/2 | within noise"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| tun-rs | sync-gso | 0.700 | tun-rs/sync-gso | 0.500 | 1.40"), std::string::npos) << md;
}

TEST(SideBySide, MarkdownNamesTheDirectionWhenTheRunHasBoth) {
  RunResult run;
  run.rows = {ours("a", {0.9}, "up"), ours("a", {0.5}, "down"), twin("a", {0.6}, "up"), twin("a", {0.4}, "down")};
  const std::string md = report::markdown_side_by_side(run);
  EXPECT_NE(md.find("| a (up) | tun-rs/a |"), std::string::npos) << md;
  EXPECT_NE(md.find("| a (down) | tun-rs/a |"), std::string::npos) << md;
}

}  // namespace

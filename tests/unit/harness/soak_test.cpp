// `tunbench soak` judges what it measured (harness/soak.h): one row per rule of the soak, each
// made to fail on its own.
#include "harness/soak.h"

#include <gtest/gtest.h>

#include "support/test_names.h"

namespace {

using namespace harness;

ForwarderStats clean_stats() {
  ForwarderStats s;
  s.ok = true;
  for (const char* from : {"tun11", "tun22"}) {
    DirectionStats d;
    d.from = from;
    d.to = std::string(from) == "tun11" ? "tun22" : "tun11";
    d.packets = d.written = 1000;
    s.directions.push_back(d);
  }
  return s;
}

IperfResult transfer() {
  IperfResult r;
  r.gbps = 9.5;
  r.seconds = 20;
  return r;
}

struct SoakCase {
  const char* name;
  std::vector<std::uint64_t> rss;
  std::optional<IperfResult> iperf;
  int exit_status;
  std::optional<ForwarderStats> stats;
  const char* failing;  // substring of the one failing check, nullptr when all pass
};

void PrintTo(const SoakCase& c, std::ostream* os) { *os << c.name; }

std::vector<SoakCase> cases() {
  const std::vector<std::uint64_t> flat(21, 4000);
  auto grows = flat;
  grows.back() = 4050;  // +1.25 %
  auto within = flat;
  within.back() = 4039;  // +0.98 %
  auto dropped = clean_stats();
  dropped.directions[0].written = 990;
  dropped.directions[0].dropped = 10;
  dropped.directions[0].drops["write-queue-full"] = 10;
  auto unbalanced = clean_stats();
  unbalanced.directions[1].written = 999;
  auto one_way = clean_stats();
  one_way.directions.pop_back();
  return {
      {"FlatRssPasses", flat, transfer(), 0, clean_stats(), nullptr},
      {"GrowthWithinTheLimitPasses", within, transfer(), 0, clean_stats(), nullptr},
      {"RssGrowthFails", grows, transfer(), 0, clean_stats(), "RSS at 10 s 4000 kB, at the end 4050 kB (+1.25 %"},
      {"TooFewSamplesFails",
       {4000, 4000},
       transfer(),
       0,
       clean_stats(),
       "not enough RSS samples (2 for a reference at 10 s)"},
      {"IperfFailureFails", flat, std::nullopt, 0, clean_stats(), "iperf3 did not complete: boom"},
      {"NonZeroExitFails", flat, transfer(), 1, clean_stats(), "exit status 1 after SIGINT"},
      {"DropsFail", flat, transfer(), 0, dropped, "tun11→tun22 drops 0 (counted 10)"},
      {"ImbalanceFails", flat, transfer(), 0, unbalanced, "tun22→tun11 balance: packets 1000 == written 999 + drops 0"},
      {"MissingCountersFail", flat, transfer(), 0, std::nullopt, "counters written for both directions"},
      {"OneDirectionFails", flat, transfer(), 0, one_way, "counters written for both directions"},
  };
}

class SoakRule : public ::testing::TestWithParam<SoakCase> {};

TEST_P(SoakRule, JudgesItsFigures) {
  const SoakCase& c = GetParam();
  const auto r = evaluate_soak(c.rss, soak_reference_second(20), 1.0, c.iperf, "boom", c.exit_status, "tunfwd-stats/1",
                               c.stats, MonitorSummary{});
  ASSERT_FALSE(r.checks.empty());
  std::vector<std::string> failed;
  for (const auto& check : r.checks)
    if (!check.ok) failed.push_back(check.what);
  if (c.failing == nullptr) {
    EXPECT_TRUE(r.ok()) << r.text();
    EXPECT_TRUE(failed.empty()) << r.text();
  } else {
    EXPECT_FALSE(r.ok());
    ASSERT_EQ(failed.size(), 1u) << r.text();
    EXPECT_NE(failed[0].find(c.failing), std::string::npos) << failed[0];
  }
}

INSTANTIATE_TEST_SUITE_P(Soak, SoakRule, ::testing::ValuesIn(cases()), tbtest::case_name);

TEST(Soak, ReferenceIsMinuteOneOrHalfway) {
  EXPECT_EQ(soak_reference_second(600), 60);
  EXPECT_EQ(soak_reference_second(120), 60);
  EXPECT_EQ(soak_reference_second(100), 50);
  EXPECT_EQ(soak_reference_second(20), 10);
}

TEST(Soak, AnEmptyReportIsNotAPass) { EXPECT_FALSE(SoakReport{}.ok()); }

TEST(Soak, WithoutACountersFormatOnlyRssIperfAndExitAreJudged) {
  const auto r = evaluate_soak(std::vector<std::uint64_t>(21, 100), 10, 1.0, transfer(), "", 0, "", std::nullopt, {});
  EXPECT_TRUE(r.ok()) << r.text();
  EXPECT_EQ(r.checks.size(), 3u);
}

}  // namespace

// The gate's rules (src/detgate/compare.h), one table row per rule and its edges.
#include "detgate/compare.h"

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace {

using detgate::RowRun;
using detgate::Verdict;

RowRun row(std::uint64_t ir, std::uint64_t writes = 100, std::uint64_t segments = 1000,
           std::uint64_t socket_calls = 0) {
  RowRun r;
  r.label = "sync-gso/tcp4-gso";
  r.mode = "sync-gso";
  r.workload = "tcp4-gso";
  r.ok = true;
  r.segments = segments;
  r.reads = segments / 20;
  r.writes = writes;
  r.gso_writes = segments / 50;
  r.socket_calls = socket_calls;
  r.ir = ir;
  return r;
}

struct Case {
  std::string rule;
  RowRun base1, base2, head1, head2;
  Verdict verdict;
  bool flagged = false;
  bool calls_unstable = false;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.rule; }

class GateRules : public ::testing::TestWithParam<Case> {};

TEST_P(GateRules, VerdictFollowsTheRule) {
  const Case& c = GetParam();
  const detgate::RowComparison r = detgate::compare_row(&c.base1, &c.base2, &c.head1, &c.head2);
  EXPECT_EQ(r.verdict, c.verdict) << c.rule << ": got " << detgate::to_string(r.verdict) << ", change " << r.change_pct
                                  << " %";
  EXPECT_EQ(r.device_calls_changed, c.flagged) << c.rule;
  EXPECT_EQ(r.device_calls_unstable, c.calls_unstable) << c.rule;
}

// 1,000,000 instructions over 1,000 segments = 1,000 per segment on the base side.
INSTANTIATE_TEST_SUITE_P(
    Rules, GateRules,
    ::testing::Values(
        Case{"identical_is_unchanged", row(1'000'000), row(1'000'000), row(1'000'000), row(1'000'000),
             Verdict::kUnchanged},
        Case{"just_under_one_percent_is_unchanged", row(1'000'000), row(1'000'000), row(1'009'900), row(1'009'900),
             Verdict::kUnchanged},
        Case{"one_percent_more_warns", row(1'000'000), row(1'000'000), row(1'010'000), row(1'010'000), Verdict::kWarn},
        Case{"just_under_three_percent_warns", row(1'000'000), row(1'000'000), row(1'029'900), row(1'029'900),
             Verdict::kWarn},
        Case{"three_percent_more_fails", row(1'000'000), row(1'000'000), row(1'030'000), row(1'030'000),
             Verdict::kFail},
        Case{"one_percent_fewer_is_improved", row(1'000'000), row(1'000'000), row(990'000), row(990'000),
             Verdict::kImproved},
        Case{"base_runs_apart_by_more_than_half_percent_is_unstable", row(1'000'000), row(1'006'000), row(1'100'000),
             row(1'100'000), Verdict::kUnstable},
        Case{"head_runs_apart_by_more_than_half_percent_is_unstable", row(1'000'000), row(1'000'000), row(1'000'000),
             row(1'006'000), Verdict::kUnstable},
        Case{"runs_apart_by_half_percent_are_still_judged", row(1'000'000), row(1'005'000), row(1'040'000),
             row(1'040'000), Verdict::kFail},
        Case{"per_segment_not_per_row", row(1'000'000, 100, 1000), row(1'000'000, 100, 1000), row(2'000'000, 200, 2000),
             row(2'000'000, 200, 2000), Verdict::kUnchanged},
        Case{"changed_device_calls_are_flagged", row(1'000'000, 100), row(1'000'000, 100), row(1'000'000, 101),
             row(1'000'000, 101), Verdict::kUnchanged, true},
        Case{"changed_socket_calls_are_flagged", row(1'000'000, 100, 1000, 500), row(1'000'000, 100, 1000, 500),
             row(1'000'000, 100, 1000, 520), row(1'000'000, 100, 1000, 520), Verdict::kUnchanged, true},
        Case{"device_calls_varying_between_runs_are_not_flagged", row(1'000'000, 100), row(1'000'000, 101),
             row(1'000'000, 105), row(1'000'000, 105), Verdict::kUnchanged, false, true}),
    [](const auto& row_info) { return row_info.param.rule; });

TEST(GateRules, BrokenHeadRowFailsTheGate) {
  const RowRun b = row(1'000'000);
  RowRun h = row(1'000'000);
  h.ok = false;
  const auto r = detgate::compare_row(&b, &b, &h, &h);
  EXPECT_EQ(r.verdict, Verdict::kBroken);
  EXPECT_TRUE(detgate::fails_gate(r.verdict));
  const auto missing = detgate::compare_row(&b, &b, nullptr, &h);
  EXPECT_EQ(missing.verdict, Verdict::kBroken);
}

TEST(GateRules, RowWithoutBaseIsNewAndNotJudged) {
  const RowRun h = row(1'000'000);
  const auto r = detgate::compare_row(nullptr, nullptr, &h, &h);
  EXPECT_EQ(r.verdict, Verdict::kNew);
  EXPECT_FALSE(detgate::fails_gate(r.verdict));
}

TEST(GateRules, OnlyFailAndBrokenFailTheGate) {
  for (Verdict v : {Verdict::kUnchanged, Verdict::kImproved, Verdict::kWarn, Verdict::kUnstable, Verdict::kNew})
    EXPECT_FALSE(detgate::fails_gate(v)) << detgate::to_string(v);
  EXPECT_TRUE(detgate::fails_gate(Verdict::kFail));
}

TEST(GateRules, SpreadIsRelativeToTheSmaller) {
  EXPECT_DOUBLE_EQ(detgate::spread_pct(100, 101), 1.0);
  EXPECT_DOUBLE_EQ(detgate::spread_pct(101, 100), 1.0);
  EXPECT_DOUBLE_EQ(detgate::spread_pct(0, 0), 0.0);
}

}  // namespace

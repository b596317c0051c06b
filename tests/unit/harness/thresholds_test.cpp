// Perf profiles (fixtures/thresholds/*.json): parsing, choice by CPU model, and the check of a
// run against one, on synthetic runs with planted violations.
#include "harness/thresholds.h"

#include <gtest/gtest.h>

#include "support/fixtures.h"
#include "support/run_rows.h"

using namespace harness;
using nlohmann::json;

namespace {

Sample sample(int pass, double gbps, double cpu = 0, double mem = 0, std::int64_t retr = 0) {
  Sample s;
  s.pass = pass;
  s.ok = true;
  s.iperf.gbps = gbps;
  s.iperf.retransmits = retr;
  s.monitor.cpu_avg = cpu;
  s.monitor.mem_max_mb = mem;
  return s;
}

// veth at 10 Gbps, loopback at 20, sync-gso at `gso` Gbps with 90 % CPU and 7 MB, three passes.
RunResult run_with(double gso, std::int64_t retr = 0) {
  RunResult run;
  RowResult veth = tbtest::baseline_row("kernel veth", kKernelVeth);
  RowResult lo = tbtest::baseline_row("kernel loopback", kKernelLoopback);
  RowResult fwd = tbtest::tunfwd_row("sync-gso", true, false);
  for (int pass = 1; pass <= 3; ++pass) {
    veth.samples.push_back(sample(pass, 10));
    lo.samples.push_back(sample(pass, 20));
    fwd.samples.push_back(sample(pass, gso, 90, 7, retr));
  }
  run.rows = {veth, lo, fwd};
  run.compute_ratios();
  return run;
}

json profile_json() {
  return json::parse(R"({
    "format": "tunbench-thresholds/1",
    "cpu_model_match": ["Test CPU 9000"],
    "rows": {
      "sync-gso": {"min_ratio": 0.5, "min_gbps": 4, "max_retransmits": 10, "max_cpu_avg": 100, "max_mem_max_mb": 8},
      "kernel veth": {"min_gbps": 5}
    }
  })");
}

}  // namespace

TEST(Thresholds, ParsesRowsAndLeavesAbsentLimitsUnset) {
  const auto p = parse_profile(profile_json(), "t");
  ASSERT_EQ(p.rows.size(), 2u);
  const auto* gso = p.find("sync-gso");
  ASSERT_NE(gso, nullptr);
  EXPECT_DOUBLE_EQ(*gso->min_ratio, 0.5);
  EXPECT_FALSE(gso->max_cpu_per_gbps.has_value());
  EXPECT_EQ(p.ratio_to, "veth");
  EXPECT_TRUE(p.matches_cpu("Fancy Test CPU 9000 @ 5 GHz"));
  EXPECT_FALSE(p.matches_cpu("Other CPU"));
}

TEST(Thresholds, RejectsWrongFormatAndNonNumbers) {
  auto j = profile_json();
  j["format"] = "x";
  EXPECT_THROW(parse_profile(j), std::runtime_error);
  j = profile_json();
  j["rows"]["sync-gso"]["min_ratio"] = "high";
  EXPECT_THROW(parse_profile(j), std::runtime_error);
  j = profile_json();
  j["ratio_to"] = "bridge";
  EXPECT_THROW(parse_profile(j), std::runtime_error);
}

TEST(Thresholds, PassingRunPasses) {
  const auto r = check_profile(run_with(6), parse_profile(profile_json()));
  EXPECT_TRUE(r.ok()) << r.failures();
  EXPECT_EQ(r.unchecked_rows, std::vector<std::string>{"kernel loopback"});
}

TEST(Thresholds, SlowRowFailsWithMeasuredAndLimitInTheMessage) {
  const auto r = check_profile(run_with(3, 50), parse_profile(profile_json()));
  EXPECT_FALSE(r.ok());
  const auto text = r.failures();
  EXPECT_NE(text.find("sync-gso: ratio to veth measured 0.3 violates minimum 0.5"), std::string::npos) << text;
  EXPECT_NE(text.find("sync-gso: Gbps measured 3 violates minimum 4"), std::string::npos) << text;
  EXPECT_NE(text.find("retransmits measured 50 violates maximum 10"), std::string::npos) << text;
}

TEST(Thresholds, RatiosOnlySkipsAbsoluteLimits) {
  auto j = profile_json();
  j["rows"]["sync-gso"]["max_cpu_avg"] = 10;  // would fail
  const auto r = check_profile(run_with(6), parse_profile(j), {.ratios_only = true});
  EXPECT_TRUE(r.ok()) << r.failures();
}

TEST(Thresholds, RatioToLoopbackUsesTheLoopbackRowOfThePass) {
  auto j = profile_json();
  j["ratio_to"] = "loopback";
  j["rows"]["sync-gso"]["min_ratio"] = 0.35;  // 6 / 20 = 0.3
  const auto r = check_profile(run_with(6), parse_profile(j));
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.failures().find("ratio to loopback measured 0.3 violates"), std::string::npos) << r.failures();
}

TEST(Thresholds, MissingRowFails) {
  auto j = profile_json();
  j["rows"]["async-gso"] = {{"min_ratio", 0.1}};
  const auto r = check_profile(run_with(6), parse_profile(j));
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.failures().find("async-gso: row missing"), std::string::npos);
}

TEST(Thresholds, ProfilesInTheRepositoryLoadAndExactlyOneIsTheFallback) {
  const std::string dir = tbtest::fixture_path("thresholds").string();
  const auto profiles = load_profiles(dir);
  ASSERT_FALSE(profiles.empty());
  int fallbacks = 0;
  for (const auto& p : profiles) {
    EXPECT_FALSE(p.rows.empty()) << p.name;
    EXPECT_FALSE(p.cpu_model_match.empty()) << p.name;
    fallbacks += p.fallback;
  }
  EXPECT_EQ(fallbacks, 1);
  const auto chosen = choose_profile(dir, "", "13th Gen Intel(R) Core(TM) i7-13700K");
  EXPECT_EQ(chosen.profile.name, "reference-i7-13700k");
  EXPECT_FALSE(chosen.ratios_only);
  const auto other = choose_profile(dir, "", "Some Unknown CPU");
  EXPECT_TRUE(other.profile.fallback);
  EXPECT_TRUE(other.ratios_only);
  EXPECT_THROW(choose_profile(dir, "no-such-profile", ""), std::runtime_error);
}

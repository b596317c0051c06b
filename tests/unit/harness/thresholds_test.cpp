// Perf profiles (fixtures/thresholds/*.json): parsing, choice by CPU model, and the check of a
// run against one, on synthetic runs with planted violations.
#include "harness/thresholds.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "support/fixtures.h"
#include "support/run_rows.h"
#include "support/scratch_dir.h"

using namespace harness;
using nlohmann::json;
using tbtest::sample;

namespace {

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

TEST(Thresholds, ADownRowIsDividedByTheDownBaselineOfItsPass) {
  // veth measures 10 Gbps up and 20 down; the stack 9 each way: 0.9 up, 0.45 down.
  RunResult run;
  RowResult veth_up = tbtest::baseline_row("kernel veth up", kKernelVeth);
  RowResult veth_down = tbtest::baseline_row("kernel veth down", kKernelVeth);
  veth_down.direction = "down";
  RowResult up = tbtest::forwarder_row("tunstack up", "tunstack", {}, "tunbench");
  RowResult down = tbtest::forwarder_row("tunstack down", "tunstack", {}, "tunbench");
  down.direction = "down";
  for (int pass = 1; pass <= 3; ++pass) {
    veth_up.samples.push_back(sample(pass, 10));
    veth_down.samples.push_back(sample(pass, 20));
    up.samples.push_back(sample(pass, 9));
    down.samples.push_back(sample(pass, 9));
  }
  run.rows = {veth_up, veth_down, up, down};
  auto j = json::parse(R"({"format": "tunbench-thresholds/1",
    "rows": {"tunstack up": {"min_ratio": 0.85}, "tunstack down": {"min_ratio": 0.5}}})");
  const auto r = check_profile(run, parse_profile(j));
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.failures(), "tunstack down: ratio to veth measured 0.45 violates minimum 0.5\n");
}

// Which profile `ctest -L perf` uses: the rules of choose_profile, one row each, over a folder
// with a committed fallback (Xeon), a committed EPYC profile and a calibrated local one.
struct SelectionCase {
  std::string rule;
  std::string requested;
  std::string cpu;
  std::string chosen;  // profile name; "" = none: the perf test is skipped
  bool ratios_only = false;
};

class ProfileSelection : public ::testing::TestWithParam<SelectionCase> {
 protected:
  static void write(const std::filesystem::path& path, const json& j) {
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path) << j.dump();
  }
  static json profile(const std::vector<std::string>& cpus, bool fallback) {
    auto j = profile_json();
    j["cpu_model_match"] = cpus;
    j["fallback"] = fallback;
    return j;
  }
  void SetUp() override {
    write(dir.file("dev-xeon.json"), profile({"Xeon Test"}, true));
    write(dir.file("dev-epyc.json"), profile({"EPYC Test"}, false));
    write(dir.file("local/benchhost.json"), profile({"AMD EPYC Test 7B13"}, false));
  }
  tbtest::ScratchDir dir{"tb-profiles"};
};

TEST_P(ProfileSelection, FollowsTheRule) {
  const auto& c = GetParam();
  const std::string requested = c.requested == "PATH" ? dir.file("dev-epyc.json").string() : c.requested;
  const auto choice = choose_profile(dir.path(), requested, c.cpu);
  if (c.chosen.empty()) {
    EXPECT_FALSE(choice.has_value()) << "chose " << choice->profile.name << ": " << choice->reason;
    return;
  }
  ASSERT_TRUE(choice.has_value()) << "nothing chosen for CPU " << c.cpu;
  EXPECT_EQ(choice->profile.name, c.chosen) << choice->reason;
  EXPECT_EQ(choice->ratios_only, c.ratios_only) << choice->reason;
}

INSTANTIATE_TEST_SUITE_P(
    Thresholds, ProfileSelection,
    ::testing::Values(
        SelectionCase{"CpuModelMatchSelectsTheCommittedProfile", "", "Intel Xeon Test CPU", "dev-xeon"},
        SelectionCase{"CalibratedLocalProfileWinsOverACommittedOneForTheSameCpu", "", "AMD EPYC Test 7B13 64-Core",
                      "benchhost"},
        SelectionCase{"CommittedProfileWhenNoLocalOneMatches", "", "AMD EPYC Test 9654", "dev-epyc"},
        SelectionCase{"NoMatchSkipsInsteadOfUsingTheFallback", "", "Unknown CPU", ""},
        SelectionCase{"NoCpuModelSkips", "", "", ""},
        SelectionCase{"ExplicitFallbackOnAnotherCpuChecksRatiosOnly", "fallback", "Unknown CPU", "dev-xeon", true},
        SelectionCase{"ExplicitFallbackOnItsOwnCpuChecksEverything", "fallback", "Intel Xeon Test CPU", "dev-xeon"},
        SelectionCase{"ExplicitNameSelectsItOnAnyCpu", "dev-epyc", "Unknown CPU", "dev-epyc"},
        SelectionCase{"ExplicitNameFindsALocalProfile", "benchhost.json", "Unknown CPU", "benchhost"},
        SelectionCase{"ExplicitPathSelectsIt", "PATH", "Unknown CPU", "dev-epyc"}),
    [](const ::testing::TestParamInfo<SelectionCase>& param) { return param.param.rule; });

TEST(Thresholds, ExplicitUnknownProfileIsAnErrorNamingIt) {
  const std::string dir = tbtest::fixture_path("thresholds").string();
  try {
    choose_profile(dir, "no-such-profile", "AMD EPYC");
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("TUNBENCH_PROFILE=no-such-profile: no such file"), std::string::npos)
        << e.what();
  }
}

TEST(Thresholds, ExplicitFallbackWithoutAFallbackProfileIsAnError) {
  tbtest::ScratchDir dir{"tb-profiles"};
  std::ofstream(dir.file("only.json")) << profile_json().dump();
  EXPECT_THROW(choose_profile(dir.path(), "fallback", "Test CPU 9000"), std::runtime_error);
}

TEST(Thresholds, NoProfileMessageNamesTheCpuAndWhatToRun) {
  const auto text = no_profile_message("/x/thresholds", "Some CPU 1");
  EXPECT_NE(text.find("CPU model \"Some CPU 1\""), std::string::npos) << text;
  EXPECT_NE(text.find("tunbench calibrate"), std::string::npos) << text;
  EXPECT_NE(text.find("/x/thresholds/local/HOSTNAME.json"), std::string::npos) << text;
  EXPECT_NE(text.find("TUNBENCH_PROFILE=fallback"), std::string::npos) << text;
}

TEST(Thresholds, ProfilesInTheRepositoryLoadAndExactlyOneIsTheFallback) {
  for (const std::string sub : {"thresholds", "thresholds/stack"}) {
    const std::string dir = tbtest::fixture_path(sub).string();
    const auto profiles = load_profiles(dir);
    ASSERT_FALSE(profiles.empty()) << sub;
    int fallbacks = 0;
    for (const auto& p : profiles) {
      EXPECT_FALSE(p.rows.empty()) << p.name;
      EXPECT_FALSE(p.cpu_model_match.empty()) << p.name;
      fallbacks += p.fallback;
    }
    EXPECT_EQ(fallbacks, 1) << sub;
    EXPECT_FALSE(choose_profile(dir, "", "Some Unknown CPU").has_value()) << sub;
    const auto fallback = choose_profile(dir, "fallback", "Some Unknown CPU");
    ASSERT_TRUE(fallback.has_value()) << sub;
    EXPECT_TRUE(fallback->profile.fallback) << sub;
    EXPECT_TRUE(fallback->ratios_only) << sub;
  }
  const std::string dir = tbtest::fixture_path("thresholds").string();
  const auto chosen = choose_profile(dir, "", "13th Gen Intel(R) Core(TM) i7-13700K");
  ASSERT_TRUE(chosen.has_value());
  EXPECT_EQ(chosen->profile.name, "reference-i7-13700k");
  EXPECT_FALSE(chosen->ratios_only);
}

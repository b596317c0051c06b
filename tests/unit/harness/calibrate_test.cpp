// tunbench calibrate's derivation (harness/calibrate.h): floors from the lowest pass times the
// margin, ceilings from the largest, rounded in the safe direction; which rows go in; and the
// round trip a new machine makes: the profile is chosen on its CPU and passes the run it came
// from, and fails a planted slowdown.
#include "harness/calibrate.h"

#include <fstream>

#include <gtest/gtest.h>

#include "harness/thresholds.h"
#include "support/fixtures.h"
#include "support/run_rows.h"
#include "support/scratch_dir.h"

using namespace harness;
using tbtest::sample;

namespace {

// veth at 10 Gbps in each of 3 passes; sync-gso at `gso` Gbps per pass (ratios gso/10), an
// async-normal per-packet row, the loopback baseline and another implementation's row.
RunResult run_with(std::vector<double> gso) {
  RunResult run;
  run.machine = {{"cpu_model", "Test CPU 7B13"}, {"cores", 2}, {"kernel", "Linux 6.1"}, {"hostname", "benchhost"}};
  run.settings = {{"repeat", static_cast<int>(gso.size())}, {"duration_s", 5}};
  RowResult veth = tbtest::baseline_row("kernel veth", kKernelVeth);
  RowResult lo = tbtest::baseline_row("kernel loopback", kKernelLoopback);
  RowResult fwd = tbtest::tunfwd_row("sync-gso", true, false);
  RowResult normal = tbtest::tunfwd_row("async-normal", false, false);
  RowResult other = tbtest::forwarder_row("tun-rs/sync-gso", "tun-rs-bench", {}, "tun-rs", "sync-gso");
  for (int pass = 1; pass <= static_cast<int>(gso.size()); ++pass) {
    veth.samples.push_back(sample(pass, 10));
    lo.samples.push_back(sample(pass, 20 + pass));
    fwd.samples.push_back(sample(pass, gso[pass - 1], 60 + pass, 5 + pass, std::int64_t{10} * pass));
    normal.samples.push_back(sample(pass, 1, 90, 2, 500));
    other.samples.push_back(sample(pass, 5, 50, 3));
  }
  run.rows = {veth, lo, fwd, normal, other};
  run.compute_ratios();
  return run;
}

}  // namespace

TEST(Calibrate, FloorIsTheLowestPassTimesTheMarginRoundedDown) {
  EXPECT_DOUBLE_EQ(floor_from_samples({0.70, 0.66, 0.72}, 0.9), 0.594);
  // 0.9 × 0.6799 = 0.61191: rounded to the nearest it would be 0.612, above margin × min.
  EXPECT_DOUBLE_EQ(floor_from_samples({0.6799, 0.7}, 0.9), 0.611);
  EXPECT_DOUBLE_EQ(floor_from_samples({0.5}, 1.0), 0.5);  // on the grid: stays
  EXPECT_THROW(floor_from_samples({}, 0.9), std::invalid_argument);
}

TEST(Calibrate, CeilingIsTheLargestSampleTimesTheFactorPlusSlackRoundedUp) {
  EXPECT_DOUBLE_EQ(ceiling_from_samples({50, 61.1}, 1.3, 0, 0), 80);  // 79.43
  EXPECT_DOUBLE_EQ(ceiling_from_samples({3.01}, 1.5, 2, 1), 6.6);     // 6.515: nearest would be 6.5
  EXPECT_DOUBLE_EQ(ceiling_from_samples({10}, 1.5, 2, 1), 17);        // on the grid: stays
  EXPECT_THROW(ceiling_from_samples({}, 1.3, 0, 0), std::invalid_argument);
}

TEST(Calibrate, RowsOfOursAndTheKernelGetLimitsOthersAndVethDoNot) {
  const auto c = calibrate_rows(run_with({7, 6, 6.5}));
  ASSERT_TRUE(c.ok()) << c.problems.front();
  EXPECT_TRUE(c.rows.contains("sync-gso"));
  EXPECT_TRUE(c.rows.contains("async-normal"));
  EXPECT_TRUE(c.rows.contains("kernel loopback"));
  EXPECT_FALSE(c.rows.contains("kernel veth"));  // the denominator
  EXPECT_FALSE(c.rows.contains("tun-rs/sync-gso"));
  EXPECT_EQ(c.left_out, std::vector<std::string>{"tun-rs/sync-gso"});

  const auto& gso = c.rows["sync-gso"];
  EXPECT_DOUBLE_EQ(gso["min_ratio"].get<double>(), 0.54);  // 0.9 × 0.6 (pass 2)
  EXPECT_DOUBLE_EQ(gso["measured_median_ratio"].get<double>(), 0.65);
  EXPECT_DOUBLE_EQ(gso["max_cpu_avg"].get<double>(), 82);       // 1.3 × 63 = 81.9
  EXPECT_DOUBLE_EQ(gso["max_mem_max_mb"].get<double>(), 14);    // 1.5 × 8 + 2
  EXPECT_DOUBLE_EQ(gso["max_retransmits"].get<double>(), 100);  // max(100, 3 × 30)
  // A per-packet row's retransmissions are the kernel's queues, not ours: no ceiling.
  EXPECT_FALSE(c.rows["async-normal"].contains("max_retransmits"));
  // A baseline has no process to sample: ratio only.
  EXPECT_FALSE(c.rows["kernel loopback"].contains("max_cpu_avg"));
  EXPECT_DOUBLE_EQ(c.rows["kernel loopback"]["min_ratio"].get<double>(), 1.89);  // 0.9 × 21/10
}

TEST(Calibrate, UntrustedSamplesAreLeftOutOfTheFloor) {
  auto run = run_with({7, 6, 6.5, 7});
  // Pass 4 ran on a busy machine: 2 Gbps. Left out, the floor is still 0.9 × 0.6.
  run.rows[2].samples[3].iperf.gbps = 2;
  run.rows[2].samples[3].untrusted = "others used 40 % CPU";
  run.compute_ratios();
  const auto c = calibrate_rows(run);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c.untrusted_samples, 1);
  EXPECT_DOUBLE_EQ(c.rows["sync-gso"]["min_ratio"].get<double>(), 0.54);
}

TEST(Calibrate, ARowWithTooFewTrustedSamplesIsAProblemNamingIt) {
  auto run = run_with({7, 6, 6.5});
  run.rows[3].samples[0].ok = false;  // async-normal: 2 of 3 left
  const auto c = calibrate_rows(run);
  EXPECT_FALSE(c.ok());
  ASSERT_EQ(c.problems.size(), 1u);
  EXPECT_NE(c.problems[0].find("async-normal: 2 trusted successful sample(s)"), std::string::npos) << c.problems[0];
  EXPECT_FALSE(c.rows.contains("async-normal"));
}

TEST(Calibrate, ProfileIsChosenOnItsCpuPassesItsOwnRunAndFailsAPlantedSlowdown) {
  const auto run = run_with({7, 6, 6.5});
  const auto c = calibrate_rows(run);
  ASSERT_TRUE(c.ok());
  const auto profile = calibrated_profile(c, run, {}, {"tunbench run …", "abc123", "2026-01-01T00:00:00Z"});
  EXPECT_EQ(profile["cpu_model_match"], nlohmann::json::array({"Test CPU 7B13"}));
  EXPECT_FALSE(profile["fallback"].get<bool>());
  EXPECT_EQ(profile["measured"]["commit"], "abc123");

  tbtest::ScratchDir dir{"tb-calibrate"};
  std::filesystem::create_directories(local_profile_dir(dir.path()));
  std::ofstream(local_profile_dir(dir.path()) / "benchhost.json") << profile.dump(2);
  const auto choice = choose_profile(dir.path(), "", "Test CPU 7B13");
  ASSERT_TRUE(choice.has_value());
  EXPECT_EQ(choice->profile.name, "benchhost");
  EXPECT_FALSE(choice->ratios_only);
  EXPECT_FALSE(choose_profile(dir.path(), "", "Test CPU 7B14").has_value());

  const auto same = check_profile(run, choice->profile);
  EXPECT_TRUE(same.ok()) << same.failures();

  // sync-gso 20 % slower in every pass: median ratio 0.52 against the floor 0.54. Only its row fails.
  auto slow = run;
  for (auto& s : slow.rows[2].samples) s.iperf.gbps *= 0.8;
  slow.compute_ratios();
  const auto r = check_profile(slow, choice->profile);
  EXPECT_EQ(r.failures(), "sync-gso: ratio to veth measured 0.52 violates minimum 0.54\n");
}

TEST(Calibrate, ARunWithoutACpuModelCannotMakeAProfile) {
  auto run = run_with({7, 6, 6.5});
  run.machine.erase("cpu_model");
  EXPECT_THROW(calibrated_profile(calibrate_rows(run), run, {}, {}), std::invalid_argument);
}

// The recorded runs: every mode of the Xeon development run (5 passes), and the stack run the
// committed stack profile came from (fixtures/gate/stacks-epyc.json: tunstack, pasta, slirp4netns
// both ways, 5 passes, AMD EPYC).
TEST(Calibrate, RecordedRunsGiveProfilesTheyPass) {
  struct Case {
    std::string file;
    std::size_t rows;  // rows the profile keeps
    std::vector<std::string> left_out;
  };
  for (const Case& c :
       {Case{"gate/dev-all-modes.json", 16, {}},
        Case{"gate/stacks-epyc.json",
             4,
             {"pasta up", "pasta down", "pasta-m9000 up", "pasta-m9000 down", "slirp4netns up", "slirp4netns down"}}}) {
    auto run = nlohmann::json::parse(tbtest::fixture(c.file)).get<RunResult>();
    run.compute_ratios();
    const auto cal = calibrate_rows(run);
    ASSERT_TRUE(cal.ok()) << c.file << ": " << (cal.problems.empty() ? "no rows" : cal.problems.front());
    EXPECT_EQ(cal.rows.size(), c.rows) << c.file;
    EXPECT_EQ(cal.left_out, c.left_out) << c.file;
    const auto profile = parse_profile(calibrated_profile(cal, run, {}, {"derived", "", ""}), "calibrated");
    EXPECT_TRUE(profile.matches_cpu(run.machine.at("cpu_model").get<std::string>())) << c.file;
    const auto r = check_profile(run, profile);
    EXPECT_TRUE(r.ok()) << c.file << ":\n" << r.failures();
    EXPECT_TRUE(r.unchecked_rows.size() == c.left_out.size() + (c.rows == 4 ? 2 : 1)) << c.file;  // + the veth row(s)
  }
}

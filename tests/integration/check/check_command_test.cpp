// `tunbench check` end to end (root): every tunfwd mode passes every case; a forwarder that loses packets
// fails exactly the cases that see it, with the evidence; bad input is exit 2 before anything
// starts; nothing of a run survives it.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <set>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "check/case_registry.h"
#include "check_runs.h"
#include "harness/tunfwd_modes.h"

namespace {

using std::chrono::milliseconds;
using tbtest::CheckRun;

class TunbenchCheck : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root";
    for (const auto& bin : {tbtest::tunbench(), tbtest::tunfwd(), tbtest::tunfwd_faults()})
      if (!std::filesystem::exists(bin)) GTEST_SKIP() << bin << " not built";
  }
};

// Every mode tunfwd offers (its registry, as `tunfwd --list --json` gives it) against every case,
// with small bulk transfers. Most of a case's time is waiting (bring-ups, a burst, an idle
// window, late datagrams), so the modes go in kGroups runs of tunbench check at once, modes
// dealt round-robin; each run has its own namespaces and ports. Two, not more: every tunfwd pins
// itself to the same CPU by default, and the robustness cases' time bounds must still hold (with
// three at once under load, a SIGTERM exit once took 1.26 s).
TEST_F(TunbenchCheck, EveryTunfwdModePassesEveryCase) {
  constexpr std::size_t kGroups = 2;
  const auto catalog = harness::TunfwdModes::query(tbtest::tunfwd().string());
  const auto names = catalog.names();
  ASSERT_FALSE(names.empty());
  std::vector<std::vector<std::string>> groups(std::min(kGroups, names.size()));
  for (std::size_t i = 0; i < names.size(); ++i) groups[i % groups.size()].push_back(names[i]);
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::unique_ptr<CheckRun>> runs;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    std::string modes;
    for (const auto& n : groups[g]) modes += (modes.empty() ? "" : ",") + n;
    runs.push_back(CheckRun::start(fmt::format("modes-{}", g),
                                   {"--modes", modes, "--tunfwd", tbtest::tunfwd().string(), "--bulk-mb", "1"}));
  }
  // 117 s on a quiet machine; under ci/load-run.sh (stress-ng on both cores) over 300 s, so the
  // deadline is just inside ctest's 900 s (ci/test.sh).
  for (auto& run : runs) run->finish(start + std::chrono::seconds(840));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << fmt::format("tunbench check: {} modes × {} cases in {} runs at once: {:.1f} s\n", names.size(),
                           check::all_cases().size(), runs.size(), seconds);
  RecordProperty("check_seconds", static_cast<int>(seconds));

  std::size_t gso_cases = 0;
  for (const auto& c : check::all_cases()) gso_cases += c.family == "gso" ? 1 : 0;
  ASSERT_EQ(gso_cases, 3u);
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const auto& run = *runs[g];
    std::size_t expected_passes = 0;
    ASSERT_EQ(run.exit_status(), 0) << run.output();
    const auto& j = run.report();
    EXPECT_EQ(j["format"], "tunbench-check/1");
    ASSERT_EQ(j["systems"].size(), groups[g].size()) << run.output();
    for (std::size_t i = 0; i < groups[g].size(); ++i) {
      const auto& name = groups[g][i];
      const auto& system = j["systems"][i];
      EXPECT_EQ(system["label"], name);
      EXPECT_EQ(system["cases"].size(), check::all_cases().size()) << name;
      // The registry says whether a mode negotiates offloads; the gso-* cases apply exactly then
      // (read from its devices' features), and they then compared every segment with the kernel's.
      const bool offload = catalog.require(name).value("offload", false);
      EXPECT_EQ(system.value("offloads", ""),
                offload ? "tun11: csum tso4 tso6 uso; tun22: csum tso4 tso6 uso" : "tun11: none; tun22: none")
          << name;
      for (const auto& c : system["cases"]) {
        const bool gso_case = c["name"].get<std::string>().starts_with("gso-");
        if (gso_case && !offload) {
          EXPECT_EQ(c["verdict"], "N/A") << name << " " << c.dump(2);
          continue;
        }
        EXPECT_EQ(c["verdict"], "PASS") << name << " " << c.dump(2);
        if (gso_case) {
          EXPECT_GT(c["figures"].value("read_whole", 0u), 0u) << name << " " << c.dump(2);
          EXPECT_EQ(c["figures"].value("segments_compared", 0u), c["figures"].value("segments", 1u)) << c.dump(2);
        }
        if (offload) ++expected_passes;
      }
      if (!offload) {
        expected_passes += check::all_cases().size() - gso_cases;
        continue;
      }
      // An offload mode writes super-packets into the far TUN: the GSO rules were exercised,
      // not skipped, in the TCP and in the UDP_SEGMENT cases.
      std::uint64_t tcp = 0, udp = 0;
      for (const auto& c : system["cases"]) {
        const auto n = c["figures"].value("super_packets_written", 0u);
        (c["name"].get<std::string>().starts_with("tcp-") ? tcp : udp) += n;
      }
      EXPECT_GT(tcp, 0u) << name << " wrote no TCP super-packet the capture saw";
      EXPECT_GT(udp, 0u) << name << " wrote no UDP super-packet the capture saw";
    }
    EXPECT_NE(run.markdown().find("| tcp-v4-bulk-up | PASS |"), std::string::npos) << run.markdown();
    EXPECT_NE(run.stdout_text().find(fmt::format("check: {} passed, 0 failed", expected_passes)), std::string::npos)
        << run.output();
    run.expect_nothing_left();
  }
}

TEST_F(TunbenchCheck, AForwarderThatDropsWritesFailsTheUdpCasesWithEvidence) {
  // Every 4th write refused (ENOBUFS) and dropped: datagrams go missing.
  const std::string forwarder = "drops=env TUNFWD_FAULT_WRITE_ENOBUFS=4 " + tbtest::tunfwd_faults().string() +
                                " --mode sync-normal --ip1 10.0.1.1 --ip2 10.0.2.1";
  CheckRun run("drops", {"--forwarder", forwarder, "--cases", "udp-*"});
  ASSERT_EQ(run.exit_status(), 1) << run.output();
  const auto& cases = run.report()["systems"][0]["cases"];
  ASSERT_EQ(cases.size(), 4u) << run.output();
  for (const auto& c : cases) {
    EXPECT_EQ(c["verdict"], "FAIL") << c.dump(2);
    ASSERT_FALSE(c["evidence"].empty()) << c.dump(2);
    EXPECT_NE(c["evidence"][0].get<std::string>().find("never arrived"), std::string::npos) << c.dump(2);
  }
  EXPECT_NE(run.stdout_text().find("FAIL  drops  udp-v4  datagrams"), std::string::npos) << run.output();
  run.expect_nothing_left();
}

// One planted defect per row (tb_badfwd): exactly the cases whose rule it breaks fail, and the
// evidence names the rule.
struct Defect {
  std::string defect;
  std::string cases;                    // --cases
  std::set<std::string> failing_cases;  // empty = every case passes (the control)
  std::string evidence;                 // in each failing case's evidence
  bool offload = false;                 // tb_badfwd --offload: negotiates TSO/USO, passes super-packets on
};

class PlantedDefect : public TunbenchCheck, public ::testing::WithParamInterface<Defect> {};

TEST_P(PlantedDefect, FailsExactlyTheCaseWhoseRuleItBreaks) {
  if (!std::filesystem::exists(tbtest::badfwd())) GTEST_SKIP() << "tb_badfwd not built";
  const auto& d = GetParam();
  CheckRun run(
      d.defect,
      {"--forwarder", "bad=" + tbtest::badfwd().string() + (d.offload ? " --offload" : "") + " --defect " + d.defect,
       "--cases", d.cases});
  ASSERT_EQ(run.exit_status(), d.failing_cases.empty() ? 0 : 1) << run.output();
  const auto& cases = run.report()["systems"][0]["cases"];
  ASSERT_GE(cases.size(), 2u) << run.output();
  for (const auto& c : cases) {
    if (!d.failing_cases.contains(c["name"].get<std::string>())) {
      EXPECT_EQ(c["verdict"], "PASS") << c.dump(2);
      continue;
    }
    EXPECT_EQ(c["verdict"], "FAIL") << c.dump(2);
    std::string evidence;
    for (const auto& e : c["evidence"]) evidence += e.get<std::string>() + "\n";
    EXPECT_NE(evidence.find(d.evidence), std::string::npos) << evidence;
  }
  run.expect_nothing_left();
}

std::string defect_name(const ::testing::TestParamInfo<Defect>& param) {
  std::string n = (param.param.offload ? "offload-" : "") + param.param.defect;
  for (char& c : n)
    if (c == '-') c = '_';
  return n;
}

INSTANTIATE_TEST_SUITE_P(
    Defects, PlantedDefect,
    ::testing::Values(
        Defect{"none", "tcp-v4-bulk-up,udp-*,crafted-*,robustness-*", {}, ""},
        Defect{"udp6-zero-checksum", "udp-*", {"udp-v6", "udp-v6-gso"}, "udp6-zero-checksum: "},
        Defect{"psh-every-segment", "tcp-v4-bulk-up,udp-v4", {"tcp-v4-bulk-up"}, "tcp-flags: "},
        Defect{"cwr-every-segment", "tcp-v6-bulk-up,udp-v6", {"tcp-v6-bulk-up"}, "tcp-flags: "},
        Defect{"ipv6-ext-length", "udp-v6,crafted-v6-ext-headers", {"crafted-v6-ext-headers"}, "(IPv6 payload length)"},
        Defect{"tcp-checksum", "tcp-v4-bulk-up,udp-v4", {"tcp-v4-bulk-up"}, "l4-checksum: "},
        // Recomputing "the" UDP checksum of an IPv4 fragment changes its bytes: crafted-fragments sees it.
        Defect{"fix-l4-checksum", "udp-v4,crafted-*", {"crafted-bad-checksums", "crafted-fragments"}, "(UDP checksum)"},
        Defect{"busy-loop", "udp-v4,robustness-receiver-stopped", {"robustness-receiver-stopped"}, "a busy loop"},
        // The gso-* family: with offloads negotiated, a super-packet passed on with the wrong
        // gso_size is cut elsewhere than the kernel cuts it; the control passes them all.
        Defect{"none", "gso-*,tcp-v4-bulk-up,udp-v4-gso", {}, "", true},
        Defect{"gso-tcp-size",
               "gso-*,tcp-v4-bulk-up,udp-v4-gso",
               {"gso-tcp-v4-split", "gso-tcp-v6-split"},
               "kernel oracle: ",
               true},
        Defect{"ignore-deleted-tun",
               "udp-v4,robustness-tun-deleted",
               {"robustness-tun-deleted"},
               "still running 5000 ms after tun22 was deleted"}),
    defect_name);

// tb_badfwd opens its TUNs without offloads: the report says so, and the gso-* cases, whose rule
// only a forwarder's own split can break, are N/A with the reason (not a pass it never earned).
TEST_F(TunbenchCheck, AForwarderWithoutOffloadsIsNotApplicableToTheGsoCases) {
  if (!std::filesystem::exists(tbtest::badfwd())) GTEST_SKIP() << "tb_badfwd not built";
  CheckRun run("no-offloads",
               {"--forwarder", "bad=" + tbtest::badfwd().string() + " --defect none", "--cases", "gso-*"});
  ASSERT_EQ(run.exit_status(), 0) << run.output();
  const auto& system = run.report()["systems"][0];
  EXPECT_EQ(system["offloads"], "tun11: none; tun22: none");
  ASSERT_EQ(system["cases"].size(), 3u) << run.output();
  for (const auto& c : system["cases"]) {
    EXPECT_EQ(c["verdict"], "N/A") << c.dump(2);
    ASSERT_FALSE(c["notes"].empty()) << c.dump(2);
    EXPECT_NE(c["notes"][0].get<std::string>().find("the forwarder did not negotiate"), std::string::npos) << c.dump(2);
  }
  EXPECT_NE(run.stdout_text().find("check: 0 passed, 0 failed, 3 not applicable"), std::string::npos) << run.output();
  run.expect_nothing_left();
}

TEST_F(TunbenchCheck, BadInputIsExitTwoBeforeAnythingStarts) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"--modes", "no-such-mode", "--tunfwd", tbtest::tunfwd().string()},
           {"--modes", "sync-normal", "--tunfwd", tbtest::tunfwd().string(), "--cases", "no-such-case"},
           {"--forwarder", "no-label"},
           {}}) {
    CheckRun run("bad", args, false);
    EXPECT_EQ(run.exit_status(), 2) << run.output();
    EXPECT_NE(run.stderr_text().find("tunbench check: "), std::string::npos) << run.output();
    EXPECT_EQ(run.stderr_text().find("logs in"), std::string::npos) << "it started: " << run.output();
  }
}

TEST_F(TunbenchCheck, SigintMidCheckRemovesEverythingAndExits130) {
  tbtest::TunbenchRuns runs("tb-check-sigint");
  auto p = runs.start({"check", "--modes", "sync-normal", "--tunfwd", tbtest::tunfwd().string()}, "sigint");
  // Polled (bounded): the run has announced its id and its namespaces exist.
  std::string id;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (id.empty() && std::chrono::steady_clock::now() < deadline && p.running()) {
    const auto found = tbtest::find_run_id(runs.err());
    if (found && !tbtest::namespaces_of(*found).empty()) id = *found;
    p.wait_for(milliseconds(20));
  }
  ASSERT_FALSE(id.empty()) << runs.err();
  ::kill(p.pid(), SIGINT);
  ASSERT_TRUE(p.wait_for(milliseconds(20000))) << "tunbench check did not stop after SIGINT";
  EXPECT_EQ(p.exit_status(), 130) << runs.out() << runs.err();
  EXPECT_TRUE(tbtest::namespaces_of(id).empty());
  EXPECT_FALSE(std::filesystem::exists("/run/tunbench/" + id + ".json"));
  EXPECT_NE(runs.err().find("interrupted"), std::string::npos) << runs.err();
}

TEST_F(TunbenchCheck, ListNamesEveryCaseWithItsRule) {
  CheckRun run("list", {"--list"}, false);
  ASSERT_EQ(run.exit_status(), 0) << run.output();
  for (const auto& c : check::all_cases()) {
    EXPECT_NE(run.stdout_text().find(c.name), std::string::npos) << c.name << "\n" << run.output();
    EXPECT_NE(run.stdout_text().find(c.rule), std::string::npos) << c.name << "\n" << run.output();
  }
}

}  // namespace

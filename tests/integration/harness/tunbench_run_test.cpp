// `tunbench run` end to end (root): rows are measured, and nothing of a run survives it, whether
// it ends normally, fails, is interrupted (SIGINT/SIGTERM) or is killed (then `tunbench cleanup`).
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "harness/command.h"
#include "harness/process.h"
#include "support/build_tree.h"
#include "support/tunbench_runs.h"

namespace fs = std::filesystem;
using std::chrono::milliseconds;

namespace {

using tbtest::find_run_id;
using tbtest::namespaces_of;
using tbtest::run_id_from;
using tbtest::tunbench;
using tbtest::tunfwd;

class TunbenchRun : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root";
    if (!fs::exists(tunbench())) GTEST_SKIP() << "tunbench not built at " << tunbench();
  }

  // Polls (bounded) until the run has announced its id and created a namespace.
  std::string wait_for_namespaces(harness::Process& p) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline && p.running()) {
      const auto id = find_run_id(runs_.err());
      if (id && !namespaces_of(*id).empty()) return *id;
      p.wait_for(milliseconds(20));
    }
    return "";
  }

  void expect_interrupt_cleans_up(int sig) {
    auto p =
        runs_.start({"run", "--modes", "none", "--baselines", "veth,loopback", "-t", "30", "--repeat", "3"}, "sig");
    const auto id = wait_for_namespaces(p);
    ASSERT_FALSE(id.empty()) << runs_.err();
    ::kill(p.pid(), sig);
    ASSERT_TRUE(p.wait_for(milliseconds(20000))) << "tunbench did not stop after signal " << sig;
    EXPECT_EQ(p.exit_status(), 128 + sig);
    EXPECT_TRUE(namespaces_of(id).empty());
    EXPECT_FALSE(fs::exists("/run/tunbench/" + id + ".json"));
    EXPECT_NE(runs_.err().find("interrupted"), std::string::npos);
  }

  tbtest::TunbenchRuns runs_{"tb-integration-harness"};
};

}  // namespace

TEST_F(TunbenchRun, VethBaselineProducesARowAndLeavesNothing) {
  const auto json = runs_.file("veth.json");
  auto p = runs_.start({"run", "--modes", "none", "--baselines", "veth", "-t", "2", "--json", json.string()}, "veth");
  const auto run = runs_.finished_run(p, json, milliseconds(60000));
  ASSERT_EQ(run["rows"].size(), 1u);
  EXPECT_EQ(run["rows"][0]["label"], "kernel veth");
  EXPECT_TRUE(run["rows"][0]["samples"][0]["ok"].get<bool>());
  EXPECT_GT(run["rows"][0]["samples"][0]["gbps"].get<double>(), 0.0);
  EXPECT_NE(runs_.out().find("| 1 | kernel veth |"), std::string::npos);
  const auto id = run_id_from(runs_.err());
  ASSERT_FALSE(id.empty());
  EXPECT_TRUE(namespaces_of(id).empty());
}

TEST_F(TunbenchRun, ForwarderThatDiesIsAFailedRowWithItsStderr) {
  auto p = runs_.start({"run", "--modes", "none", "--baselines", "none", "-t", "2", "--forwarder",
                        "dies=sh -c 'echo boom-from-forwarder >&2; exit 3'"},
                       "dies");
  ASSERT_TRUE(p.wait_for(milliseconds(60000)));
  EXPECT_EQ(p.exit_status(), 1);
  const auto out = runs_.out() + runs_.err();
  EXPECT_NE(out.find("boom-from-forwarder"), std::string::npos) << out;
  EXPECT_NE(out.find("FAILED"), std::string::npos) << out;
  const auto id = run_id_from(runs_.err());
  EXPECT_TRUE(namespaces_of(id).empty());
}

TEST_F(TunbenchRun, SigintMidRunRemovesEverything) { expect_interrupt_cleans_up(SIGINT); }

TEST_F(TunbenchRun, SigtermMidRunRemovesEverything) { expect_interrupt_cleans_up(SIGTERM); }

TEST_F(TunbenchRun, CleanupRemovesWhatAKilledRunLeft) {
  auto p = runs_.start({"run", "--modes", "none", "--baselines", "veth", "-t", "30"}, "killed");
  const auto id = wait_for_namespaces(p);
  ASSERT_FALSE(id.empty()) << runs_.err();
  ::kill(p.pid(), SIGKILL);  // no chance to clean up: namespaces and iperf3 stay
  ASSERT_TRUE(p.wait_for(milliseconds(10000)));
  EXPECT_FALSE(namespaces_of(id).empty());
  const auto cleanup = harness::run_command({tunbench().string(), "cleanup"}, "", milliseconds(30000));
  EXPECT_EQ(cleanup.exit_code, 0) << cleanup.err;
  EXPECT_NE(cleanup.out.find("deleted namespace"), std::string::npos) << cleanup.out;
  EXPECT_TRUE(namespaces_of(id).empty());
  EXPECT_FALSE(fs::exists("/run/tunbench/" + id + ".json"));
}

TEST_F(TunbenchRun, TunfwdSyncNormalRow) {
  if (!fs::exists(tunfwd())) GTEST_SKIP() << "tunfwd not built";
  const auto json = runs_.file("tunfwd.json");
  auto p = runs_.start({"run", "--modes", "sync-normal", "--baselines", "veth", "-t", "2", "--tunfwd",
                        tunfwd().string(), "--json", json.string()},
                       "tunfwd");
  const auto run = runs_.finished_run(p, json, milliseconds(90000));
  ASSERT_EQ(run["rows"].size(), 2u);
  EXPECT_EQ(run["rows"][1]["label"], "sync-normal");
  EXPECT_GT(run["rows"][1]["samples"][0]["gbps"].get<double>(), 0.0);
  EXPECT_GT(run["rows"][1]["samples"][0]["ratio"].get<double>(), 0.0);
  // Its traits come from tunfwd's registry, its counters from the JSON tunfwd wrote on exit.
  EXPECT_EQ(run["rows"][1]["traits"]["offload"], false);
  EXPECT_EQ(run["rows"][1]["implementation"], "tunbench");
  EXPECT_EQ(run["rows"][1]["mode"], "sync-normal");
  EXPECT_EQ(run["rows"][0]["implementation"], "kernel");
  const auto& stats = run["rows"][1]["samples"][0]["stats"];
  ASSERT_TRUE(stats.is_object()) << run["rows"][1].dump(2);
  EXPECT_EQ(stats["format"], "tunfwd-stats/1");
  EXPECT_GT(stats["directions"][0]["packets"].get<std::uint64_t>(), 0u);
  EXPECT_TRUE(namespaces_of(run_id_from(runs_.err())).empty());
}

TEST_F(TunbenchRun, UnknownModeIsAUsageErrorBeforeAnythingStarts) {
  if (!fs::exists(tunfwd())) GTEST_SKIP() << "tunfwd not built";
  auto p = runs_.start({"run", "--modes", "sync-gso,teleport", "--tunfwd", tunfwd().string()}, "unknown");
  ASSERT_TRUE(p.wait_for(milliseconds(20000)));
  EXPECT_EQ(p.exit_status(), 2);
  const auto err = runs_.err();
  EXPECT_NE(err.find("unknown mode 'teleport' (tunfwd has: "), std::string::npos) << err;
  EXPECT_FALSE(find_run_id(err)) << "a run started:\n" << err;
}

// Two shapes without a line of harness code of their own: the kernel-routed baseline (three
// namespaces, two veth pairs, IP forwarding in the middle) and a forwarder described in a JSON
// file given with --sut (tunfwd here, spelled out as data: process, devices, addresses, routes).
TEST_F(TunbenchRun, RoutedBaselineAndASutFromAFile) {
  if (!fs::exists(tunfwd())) GTEST_SKIP() << "tunfwd not built";
  const auto sut_file = runs_.file("described.json");
  {
    const nlohmann::json described = {
        {"format", "tunbench-sut/1"},
        {"kind", "forwarder"},
        {"namespaces", {"fwd", "a", "b"}},
        {"processes",
         {{{"name", "forwarder"},
           {"argv", {tunfwd().string(), "--mode", "sync-gso", "--stats-json", "{stats_json}"}},
           {"ns", "fwd"}}}},
        {"devices",
         {{{"by", "forwarder"},
           {"created_in", "fwd"},
           {"iface",
            {{"ns", "a"},
             {"name", "tun11"},
             {"addresses", {"10.0.1.1/24"}},
             {"routes", {{{"prefix", "10.0.2.0/24"}}}}}}},
          {{"by", "forwarder"},
           {"created_in", "fwd"},
           {"iface",
            {{"ns", "b"},
             {"name", "tun22"},
             {"addresses", {"10.0.2.1/24"}},
             {"routes", {{{"prefix", "10.0.1.0/24"}}}}}}}}},
        {"stats_format", "tunfwd-stats/1"}};
    std::ofstream(sut_file) << described.dump(2);
  }
  const auto json = runs_.file("routed.json");
  auto p = runs_.start({"run", "--modes", "none", "--baselines", "veth,routed", "-t", "2", "--sut",
                        "described=" + sut_file.string(), "--json", json.string()},
                       "routed");
  const auto run = runs_.finished_run(p, json, milliseconds(90000));
  ASSERT_EQ(run["rows"].size(), 3u);
  EXPECT_EQ(run["rows"][1]["kind"], "kernel-routed");
  EXPECT_EQ(run["rows"][2]["label"], "described");
  for (std::size_t i = 1; i < 3; ++i) {
    const auto& sample = run["rows"][i]["samples"][0];
    EXPECT_TRUE(sample["ok"].get<bool>()) << sample.dump();
    EXPECT_GT(sample["ratio"].get<double>(), 0.0) << run["rows"][i]["label"];
  }
  EXPECT_TRUE(run["rows"][2]["sampled"].get<bool>());
  EXPECT_EQ(run["rows"][2]["samples"][0]["stats"]["mode"], "sync-gso");
  EXPECT_TRUE(namespaces_of(run_id_from(runs_.err())).empty());
}

TEST_F(TunbenchRun, ABadSutFileIsAUsageErrorNamingTheField) {
  const auto sut_file = runs_.file("bad.json");
  std::ofstream(sut_file) << R"({"format": "tunbench-sut/1", "kind": "x", "namespaces": ["a", "mars"]})";
  auto p =
      runs_.start({"run", "--modes", "none", "--baselines", "none", "--sut", "bad=" + sut_file.string()}, "badsut");
  ASSERT_TRUE(p.wait_for(milliseconds(20000)));
  EXPECT_EQ(p.exit_status(), 2);
  const auto err = runs_.err();
  EXPECT_NE(err.find("--sut bad: " + sut_file.string() + ": system under test 'x': unknown namespace role 'mars'"),
            std::string::npos)
      << err;
}

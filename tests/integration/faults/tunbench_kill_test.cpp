// SIGKILL in the middle of `tunbench run` (root): of the forwarder, of iperf3 (client or server),
// and of tunbench itself. A killed child makes its sample fail cleanly and the run goes on (the
// next pass measures again); a killed tunbench leaves namespaces, processes and its state file,
// which `tunbench cleanup` removes, after which the next run starts cleanly.
// (tests/integration/harness covers SIGINT/SIGTERM and SIGKILL of a veth-only run.)
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <optional>

#include "faults_rig.h"
#include "harness/proc_parse.h"
#include "support/tunbench_runs.h"

namespace tbtest {
namespace {

using harness::read_file;

struct Child {
  pid_t pid = 0;
  std::string comm;
  std::string cmdline;  // arguments joined by spaces
};

// The direct children of `parent` (tunbench spawns tunfwd and iperf3 itself), zombies left out.
std::vector<Child> children_of(pid_t parent) {
  std::vector<Child> found;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const auto name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const auto stat = harness::parse_pid_stat(read_file((entry.path() / "stat").string()));
    if (!stat || stat->ppid != parent || stat->state == 'Z') continue;
    std::string cmdline = read_file((entry.path() / "cmdline").string());
    for (auto& c : cmdline)
      if (c == '\0') c = ' ';
    found.push_back({stat->pid, stat->comm, cmdline});
  }
  return found;
}

std::optional<Child> find_child(pid_t parent, const std::string& comm, const std::string& arg = "") {
  for (const auto& c : children_of(parent))
    if (c.comm == comm && (arg.empty() || c.cmdline.find(arg) != std::string::npos)) return c;
  return std::nullopt;
}

// Waits up to `timeout` for `pid` to exit (a zombie counts as exited: its reaper may be slow).
// pidfd: the kernel says when, no polling. False when it still runs.
bool wait_gone(pid_t pid, milliseconds timeout) {
  const int fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (fd < 0) return errno == ESRCH;
  pollfd pfd{fd, POLLIN, 0};
  int n;
  do {
    n = ::poll(&pfd, 1, static_cast<int>(timeout.count()));
  } while (n < 0 && errno == EINTR);
  ::close(fd);
  return n > 0;
}
bool alive(pid_t pid) { return !wait_gone(pid, milliseconds(0)); }

class TunbenchKill : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    if (!can_run(&why)) GTEST_SKIP() << why;
    if (!fs::exists(tunbench())) GTEST_SKIP() << "tunbench not built";
  }

  // Waits (bounded) until tunbench measures: an iperf3 client child is running. Returns the
  // run id, or "" when that never happened.
  std::string wait_for_measurement(harness::Process& p) {
    const auto deadline = std::chrono::steady_clock::now() + seconds(60);
    while (std::chrono::steady_clock::now() < deadline && p.running()) {
      if (find_child(p.pid(), "iperf3", " -c ")) return find_run_id(runs_.err()).value_or("");
      p.wait_for(milliseconds(20));
    }
    return "";
  }

  std::vector<std::string> tunfwd_row(const fs::path& json, int repeat, int seconds) {
    return {"run",
            "--modes",
            "sync-normal",
            "--baselines",
            "none",
            "-t",
            std::to_string(seconds),
            "--repeat",
            std::to_string(repeat),
            "--tunfwd",
            tunfwd().string(),
            "--json",
            json.string()};
  }

  // `victim` is killed during pass 1: that sample fails with a message, pass 2 measures
  // normally, and the run completes. A row fails only when none of its samples succeeded
  // (tunbench's exit policy), so the status is 0 with the failed sample in the JSON. Nothing
  // of the run remains.
  void expect_child_kill_fails_one_sample(const std::string& comm, const std::string& arg,
                                          const std::string& error_says = "") {
    const auto json = runs_.file(comm + ".json");
    auto p = runs_.start(tunfwd_row(json, 2, 3), comm);
    const auto id = wait_for_measurement(p);
    ASSERT_FALSE(id.empty()) << runs_.err();
    const auto victim = find_child(p.pid(), comm, arg);
    ASSERT_TRUE(victim) << "no " << comm << " child of tunbench";
    const auto others = children_of(p.pid());
    ASSERT_FALSE(others.empty()) << "tunbench's children were gone before the kill: nothing to check afterwards";
    ASSERT_EQ(::kill(victim->pid, SIGKILL), 0);

    SCOPED_TRACE("tunbench after its " + comm + " was killed");
    const auto run = runs_.finished_run(p, json, seconds(120));
    ASSERT_EQ(run["rows"].size(), 1u);
    const auto& samples = run["rows"][0]["samples"];
    ASSERT_EQ(samples.size(), 2u) << samples.dump();
    EXPECT_FALSE(samples[0]["ok"].get<bool>()) << samples.dump();
    const auto error = samples[0].value("error", std::string());
    EXPECT_FALSE(error.empty()) << samples.dump();
    if (!error_says.empty()) {
      EXPECT_NE(error.find(error_says), std::string::npos) << error;
    }
    std::cout << "[ info     ] " << comm << " killed: pass 1 error: " << error << "\n";
    EXPECT_TRUE(samples[1]["ok"].get<bool>()) << "the next pass must start cleanly: " << samples.dump();
    EXPECT_GT(samples[1].value("gbps", 0.0), 0.0) << samples.dump();

    EXPECT_TRUE(namespaces_of(id).empty());
    EXPECT_FALSE(fs::exists("/run/tunbench/" + id + ".json"));
    for (const auto& c : others) EXPECT_FALSE(alive(c.pid)) << c.comm << " " << c.pid << " survived the run";
  }

  TunbenchRuns runs_{"tb-faults-kill"};
};

TEST_F(TunbenchKill, ForwarderKilledFailsTheSampleAndTheRunCompletes) {
  // Noticed by the per-second check, not by iperf3 giving up on the path 20 s later.
  expect_child_kill_fails_one_sample("tunfwd", "", "forwarder exited during the measurement");
}

TEST_F(TunbenchKill, IperfClientKilledFailsTheSampleAndTheRunCompletes) {
  expect_child_kill_fails_one_sample("iperf3", " -c ");
}

TEST_F(TunbenchKill, IperfServerKilledFailsTheSampleAndTheRunCompletes) {
  expect_child_kill_fails_one_sample("iperf3", " -s ");
}

TEST_F(TunbenchKill, TunbenchKilledLeavesWhatCleanupRemovesThenTheNextRunIsClean) {
  auto p = runs_.start(tunfwd_row(runs_.file("killed.json"), 1, 30), "killed");
  const auto id = wait_for_measurement(p);
  ASSERT_FALSE(id.empty()) << runs_.err();
  const auto children = children_of(p.pid());
  ASSERT_FALSE(children.empty()) << "no child of tunbench to follow";
  ASSERT_TRUE(find_child(p.pid(), "tunfwd"));
  ASSERT_TRUE(find_child(p.pid(), "iperf3", " -s "));
  ::kill(p.pid(), SIGKILL);  // no chance to clean up
  ASSERT_TRUE(p.wait_for(seconds(10)));

  // What it leaves: its namespaces, its children (own process groups) and its state file.
  EXPECT_EQ(namespaces_of(id).size(), 3u);
  EXPECT_TRUE(fs::exists("/run/tunbench/" + id + ".json"));
  std::size_t survivors = 0;
  for (const auto& c : children) survivors += alive(c.pid) ? 1 : 0;
  EXPECT_GT(survivors, 0u) << "expected orphans to clean up";

  const auto cleanup = harness::run_command({tunbench().string(), "cleanup"}, "", seconds(30));
  EXPECT_EQ(cleanup.exit_code, 0) << cleanup.out << cleanup.err;
  std::cout << "[ info     ] cleanup: " << cleanup.out;
  EXPECT_TRUE(namespaces_of(id).empty()) << cleanup.out;
  EXPECT_FALSE(fs::exists("/run/tunbench/" + id + ".json"));
  // cleanup kills them; their exit is asynchronous, so wait for it (bounded).
  for (const auto& c : children)
    EXPECT_TRUE(wait_gone(c.pid, seconds(5))) << c.comm << " (" << c.cmdline << ") survived tunbench cleanup";

  // The next run starts cleanly and measures.
  const auto json = runs_.file("next.json");
  auto next = runs_.start(tunfwd_row(json, 1, 2), "next");
  const auto run = runs_.finished_run(next, json, seconds(90));
  EXPECT_TRUE(run["rows"][0]["samples"][0]["ok"].get<bool>()) << run.dump();
  EXPECT_TRUE(namespaces_of(run_id_from(runs_.err())).empty());
}

}  // namespace
}  // namespace tbtest

// Process and command helpers with ordinary programs (no root, no namespaces).
#include "harness/process.h"

#include <csignal>
#include <thread>

#include <gtest/gtest.h>

#include "harness/command.h"
#include "harness/proc_parse.h"
#include "support/scratch_dir.h"

using namespace harness;
using std::chrono::milliseconds;

namespace {
// Polls (bounded) until the file has content: the child writes it once it is set up.
std::string wait_for_file(Process& p, const std::filesystem::path& file) {
  std::string text;
  for (int i = 0; i < 1000 && text.empty(); ++i) {
    text = read_file(file.string());
    if (text.empty()) p.wait_for(milliseconds(5));
  }
  return text;
}

bool gone_or_zombie(pid_t pid) {
  const auto stat = parse_pid_stat(read_file("/proc/" + std::to_string(pid) + "/stat"));
  return !stat || stat->state == 'Z';
}
}  // namespace

TEST(Process, ExitCodesAreReported) {
  EXPECT_EQ(run_command({"true"}).exit_code, 0);
  EXPECT_EQ(run_command({"sh", "-c", "exit 3"}).exit_code, 3);
}

TEST(Process, OutputIsCaptured) {
  const auto r = run_command({"sh", "-c", "echo out; echo err >&2"});
  EXPECT_EQ(r.out, "out\n");
  EXPECT_EQ(r.err, "err\n");
}

TEST(Process, MissingProgramIsAClearError) {
  try {
    Process::spawn({{"/nonexistent/tunbench-helper"}, "", "", ""});
    FAIL() << "expected an exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/tunbench-helper"), std::string::npos);
  }
}

TEST(Process, MissingNamespaceIsAClearError) {
  EXPECT_THROW(Process::spawn({{"true"}, "tb-no-such-namespace", "", ""}), std::runtime_error);
}

TEST(Process, StopEndsARunningChildWithSigint) {
  Process p = Process::spawn({{"sleep", "30"}, "", "", ""});
  EXPECT_TRUE(p.running());
  EXPECT_FALSE(p.wait_for(milliseconds(1)));
  EXPECT_EQ(p.stop(), 128 + SIGINT);
  EXPECT_FALSE(p.running());
  EXPECT_EQ(p.exit_status(), 128 + SIGINT);
}

TEST(Process, StopEscalatesWhenSigintIsIgnored) {
  // The shell ignores SIGINT and SIGTERM; only SIGKILL ends it.
  const tbtest::ScratchDir dir("tb-process-trap");
  const auto ready = dir.file("ready");
  Process p = Process::spawn(
      {{"sh", "-c", "trap '' INT TERM; echo ready > " + ready.string() + "; while :; do sleep 1; done"}, "", "", ""});
  ASSERT_EQ(wait_for_file(p, ready), "ready\n");
  EXPECT_EQ(p.stop(milliseconds(100)), 128 + SIGKILL);
}

TEST(Process, StopReachesTheWholeProcessGroup) {
  const tbtest::ScratchDir dir("tb-process-group");
  const auto pid_file = dir.file("pid");
  Process p = Process::spawn({{"sh", "-c", "sleep 30 & echo $! > " + pid_file.string() + "; wait"}, "", "", ""});
  const std::string text = wait_for_file(p, pid_file);
  ASSERT_FALSE(text.empty());
  const pid_t grandchild = std::stoi(text);
  EXPECT_FALSE(gone_or_zombie(grandchild));
  p.stop();
  // SIGKILL is delivered asynchronously: poll (bounded) until the kernel has ended it.
  // Polls a condition with a deadline; no fixed sleep decides the outcome.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  bool ended = gone_or_zombie(grandchild);
  while (!ended && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(2));
    ended = gone_or_zombie(grandchild);
  }
  EXPECT_TRUE(ended);
}

TEST(Command, RunCheckedNamesTheFailingCommand) {
  try {
    run_checked({"sh", "-c", "echo broken >&2; exit 2"});
    FAIL();
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("exit 2"), std::string::npos) << what;
    EXPECT_NE(what.find("broken"), std::string::npos) << what;
  }
}

TEST(Command, TailLines) {
  EXPECT_EQ(tail_lines("a\nb\nc\n", 2), "b\nc");
  EXPECT_EQ(tail_lines("a\nb\nc", 5), "a\nb\nc");
  EXPECT_EQ(tail_lines("", 3), "");
}

TEST(Command, TimeoutKillsTheCommand) {
  const auto r = run_command({"sleep", "30"}, "", milliseconds(50));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("timed out"), std::string::npos);
}

// Many connections through tunstack: 10,000 short ones in sequence and 200 held at once all
// complete (each echoing its bytes intact), and afterwards tunstack holds no more descriptors
// than before and, outside ASan (whose quarantine keeps freed memory resident), no more than
// 2 MiB more memory: in the ASan build RSS is printed, not judged. The memory target (1,000
// connections open at once) is a perf test (tests/perf/stack_memory_test.cpp). The wait for
// lingering connections polls; it never sleeps a fixed time.
#include <signal.h>

#include <iostream>

#include <fmt/format.h>

#include "support/stack_tun_rig.h"

namespace {

using namespace tbtest;
using stack_rig::seconds;

// TB_STACK_CONNS: the connections made one after another (10,000 by default).
std::uint64_t sequential_connections() { return env_or("TB_STACK_CONNS", 10000); }
constexpr std::uint64_t kAtOnce = 200;
constexpr std::uint64_t kEchoBytes = 1000;
// What tunstack's resident memory may grow by across a run of connections (kB): its table keeps
// its slots and the allocator its free lists; neither may grow with the connections made.
constexpr std::uint64_t kRssGrowthKb = 2048;

// RSS back near where it started (outside ASan). Connections linger 2 s after their FINs
// (docs/stack.md), so this polls (every 50 ms, at most 5 s) for the memory to come back.
void expect_memory_back(StackTunRig& rig, std::uint64_t before_kb, const char* what) {
  if (kAddressSanitizer) {
    std::cout << "[ note     ] ASan build: RSS " << what << " not judged\n";
    return;
  }
  const auto deadline = stack_rig::Clock::now() + seconds(5);
  auto now_kb = rig.rss_kb();
  while (now_kb > before_kb + kRssGrowthKb && stack_rig::Clock::now() < deadline && rig.stack().running()) {
    rig.stack().wait_for(stack_rig::milliseconds(50));
    now_kb = rig.rss_kb();
  }
  std::cout << "[ figures  ] RSS " << what << ": " << before_kb << " kB before, " << now_kb << " kB after\n";
  EXPECT_LE(now_kb, before_kb + kRssGrowthKb) << "tunstack's memory grew " << what;
}

class StackConnections : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    if (!can_run_stack(&why)) GTEST_SKIP() << why;
  }

  // Starts the echo server in b for `conns` connections.
  harness::Process& echo_server(StackTunRig& rig, std::uint64_t conns, const std::string& name) {
    return rig.start(rig.server_ns(), name,
                     {"echo", "--bind", harness::kServerAddress, "--port", "5501", "--conns", std::to_string(conns)},
                     "ready");
  }

  // The client's report says `n` connections completed and none failed; the server's that it
  // served `served` (the client's and any earlier ones), none reset.
  static void expect_all_completed(const EndpointResult& client, const EndpointResult& server, std::uint64_t n,
                                   std::uint64_t served) {
    ASSERT_TRUE(client.ok() && server.ok()) << client.report.dump() << client.err << "\n"
                                            << server.report.dump() << server.err;
    EXPECT_EQ(client.report.value("connections", std::uint64_t{0}), n) << client.report.dump();
    EXPECT_EQ(client.report.value("failed", std::uint64_t{1}), 0u) << client.report.dump();
    EXPECT_EQ(server.report.value("connections", std::uint64_t{0}), served) << server.report.dump();
    EXPECT_EQ(server.report.value("resets", std::uint64_t{1}), 0u) << server.report.dump();
    EXPECT_EQ(server.report.value("bytes", std::uint64_t{0}), served * kEchoBytes) << server.report.dump();
  }

  // SIGINT: exit 0; every connection was opened and closed with FINs, nothing reset or dropped
  // but the kernel's own ICMPv6.
  static void expect_clean_counters(StackTunRig& rig, std::uint64_t n) {
    ASSERT_EQ(rig.stop_stack(), 0) << "tunstack exit status after SIGINT\n" << rig.logs();
    const auto s = rig.stats();
    ASSERT_TRUE(s.written());
    std::cout << "[ counters ] " << s.dump() << "\n";
    EXPECT_EQ(s["tcp_opened"], n) << s.dump();
    EXPECT_EQ(s["tcp_closed"], n) << s.dump();
    EXPECT_EQ(s["tcp_reset"] + s["tcp_refused"] + s["tcp_expired"], 0u) << s.dump();
    EXPECT_EQ(s.drops_except({"protocol"}), "") << s.dump();
    EXPECT_EQ(s["bytes_to_sockets"], n * kEchoBytes) << s.dump();
    EXPECT_EQ(s["bytes_to_client"], n * kEchoBytes) << s.dump();
  }
};

TEST_F(StackConnections, TenThousandInSequenceAllCompleteAndLeaveNoDescriptors) {
  const std::uint64_t n = sequential_connections();
  constexpr std::uint64_t kWarmUp = 200;
  StackTunRig rig(1500);
  const auto fds_idle = rig.open_fds();
  const auto rss_idle = rig.rss_kb();
  auto& server = echo_server(rig, kWarmUp + n, "echo");

  // A first round brings the allocator and the connection table to their working size; the
  // main run must then not grow them further.
  auto& warm = rig.start(rig.client_ns(), "warm",
                         {"conns", "--to", harness::kServerAddress, "--port", "5501", "--count",
                          std::to_string(kWarmUp), "--bytes", std::to_string(kEchoBytes)});
  const auto warm_result = rig.finish(warm, "warm", seconds(120));
  ASSERT_TRUE(warm_result.ok());
  EXPECT_EQ(rig.wait_for_fds(fds_idle, seconds(10)), fds_idle);
  const auto rss_warm = rig.rss_kb();

  std::uint64_t max_rss = 0;
  std::size_t max_fds = 0;
  auto& client = rig.start(rig.client_ns(), "conns",
                           {"conns", "--to", harness::kServerAddress, "--port", "5501", "--count", std::to_string(n),
                            "--bytes", std::to_string(kEchoBytes), "--seed", "7"});
  const auto result = rig.finish(client, "conns", seconds(300), [&] {
    max_rss = std::max(max_rss, rig.rss_kb());
    max_fds = std::max(max_fds, rig.open_fds());
  });
  const auto server_result = rig.finish(server, "echo", seconds(30));
  expect_all_completed(result, server_result, n, kWarmUp + n);
  EXPECT_EQ(warm_result.report.value("connections", std::uint64_t{0}), kWarmUp);

  // A connection lingers 2 s after its FINs (docs/stack.md rule 7) without its socket: the
  // descriptors must all be back right away, at the latest within a bounded wait.
  const auto fds_after = rig.wait_for_fds(fds_idle, seconds(10));
  const auto rss_after = rig.rss_kb();
  std::cout << fmt::format(
      "[ figures  ] {} connections in {:.2f} s (max connect {:.1f} ms, max connection {:.1f} ms); tunstack fds idle "
      "{} max {} after {}; RSS idle {} kB, after {} warm-up connections {} kB, max {} kB, after {} kB\n",
      n, result.report.value("seconds", 0.0), result.report.value("max_connect_ms", 0.0),
      result.report.value("max_ms", 0.0), fds_idle, max_fds, fds_after, rss_idle, kWarmUp, rss_warm, max_rss,
      rss_after);
  RecordProperty("rss_idle_kb", std::to_string(rss_idle));
  RecordProperty("rss_after_kb", std::to_string(rss_after));
  EXPECT_EQ(fds_after, fds_idle) << "descriptors leaked";
  expect_memory_back(rig, rss_warm, "with the number of connections made");
  expect_clean_counters(rig, kWarmUp + n);
}

TEST_F(StackConnections, TwoHundredAtOnceAllCompleteAndAreReleased) {
  StackTunRig rig(1500);
  const auto fds_idle = rig.open_fds();
  const auto rss_idle = rig.rss_kb();
  auto& server = echo_server(rig, kAtOnce, "echo");
  auto& client = rig.start(rig.client_ns(), "conns",
                           {"conns", "--to", harness::kServerAddress, "--port", "5501", "--count",
                            std::to_string(kAtOnce), "--bytes", std::to_string(kEchoBytes), "--at-once", "--hold"},
                           "holding");
  // All open and echoed: tunstack holds one socket for each.
  const auto fds_held = rig.open_fds();
  const auto rss_held = rig.rss_kb();
  EXPECT_NE(harness::read_file((rig.dir() / "conns.out").string()).find("holding " + std::to_string(kAtOnce)),
            std::string::npos)
      << "not all connections were established and echoed";
  EXPECT_GE(fds_held, fds_idle + kAtOnce) << "fewer sockets than connections open";
  ::kill(client.pid(), SIGUSR1);  // release them
  const auto result = rig.finish(client, "conns", seconds(120));
  const auto server_result = rig.finish(server, "echo", seconds(30));
  expect_all_completed(result, server_result, kAtOnce, kAtOnce);
  EXPECT_EQ(server_result.report.value("max_open", std::uint64_t{0}), kAtOnce) << "they were not open at once";

  const auto fds_after = rig.wait_for_fds(fds_idle, seconds(10));
  const auto rss_after = rig.rss_kb();
  std::cout << fmt::format(
      "[ figures  ] {} connections at once: tunstack fds idle {} held {} after {}; RSS idle {} kB, held {} kB, after "
      "{} kB\n",
      kAtOnce, fds_idle, fds_held, fds_after, rss_idle, rss_held, rss_after);
  EXPECT_EQ(fds_after, fds_idle) << "descriptors leaked";
  expect_memory_back(rig, rss_idle, "after 200 connections at once were released");
  expect_clean_counters(rig, kAtOnce);
}

}  // namespace

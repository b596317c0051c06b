// Every tunfwd mode carries real traffic between two namespaces through real TUN devices:
// TCP each way at once over IPv4 and IPv6 with the SHA-256 of each stream checked end to end,
// and UDP with every datagram counted and checksummed. The namespaces are the harness's
// (tb-fwd/tb-a/tb-b with a unique suffix) and are deleted by the rig on every exit path.
#include <iostream>
#include <sstream>
#include <thread>

#include "harness/tunfwd_modes.h"
#include "support/modes.h"
#include "support/proc_status.h"
#include "support/tun_rig.h"

namespace {

using namespace tbtest;

// TB_XFER_MB changes the TCP transfers (a quick local run, a longer one). 64 MB each way: 1,000 64 KB
// super-packets through every offload mode and 45,000 packets through every per-packet mode, in 1-4 s of the
// -O0 ASan build (128 MB took 144 s of the suite's CI time for these two tests; `tunbench check` now also
// sends byte-checked bulk TCP through modes, and the suite has to stay under its CI time budget).
std::uint64_t transfer_bytes() { return env_or("TB_XFER_MB", 64) << 20; }
// UDP has no flow control: a sender faster than the forwarder loses datagrams at the TUN's queue
// in the kernel, before the forwarder sees them. 32 MB at 200 Mbit/s needs ~18k packets/s, half
// what the slowest mode forwards in the -O0 ASan build on a 2-core VM (~32k: at 400 Mbit/s the
// async channel modes lost datagrams there).
std::uint64_t udp_bytes() { return env_or("TB_UDP_MB", 32) << 20; }
std::uint64_t udp_rate_mbps() { return env_or("TB_UDP_RATE_MBPS", 200); }

class ForwardMode : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string why;
    if (!can_run(&why)) GTEST_SKIP() << why;
    rig_ = std::make_unique<TunRig>(GetParam());
  }

  void TearDown() override {
    if (!rig_) return;
    // SIGINT is the clean shutdown: the forwarder must exit 0 and write its counters.
    EXPECT_EQ(rig_->stop_forwarder(), 0) << "tunfwd exit status; stderr:\n" << rig_->err();
    const auto stats = rig_->stats();
    EXPECT_TRUE(stats.ok) << stats.error;
    EXPECT_EQ(stats.mode, GetParam());
    ASSERT_EQ(stats.directions.size(), 2u) << "counters not written on exit:\n" << rig_->out();
    // Nothing the forwarder read may be lost on the way.
    for (const auto& d : stats.directions) {
      EXPECT_EQ(d.dropped, 0u) << d.from << "→" << d.to << " dropped:\n" << rig_->out();
      EXPECT_TRUE(d.balanced()) << d.from << "→" << d.to;
      EXPECT_GT(d.packets, 0u) << d.from << "→" << d.to << " carried nothing";
    }
    // The text tunfwd prints says the same as the JSON it writes.
    EXPECT_NE(rig_->out().find(stats.directions[0].from + "→" + stats.directions[0].to + ": packets " +
                               std::to_string(stats.directions[0].packets)),
              std::string::npos)
        << rig_->out();
    rig_.reset();
  }

  std::unique_ptr<TunRig> rig_;
};

TEST_P(ForwardMode, TcpIpv4BothWaysArriveIntact) { rig_->tcp_both_ways(transfer_bytes()); }

TEST_P(ForwardMode, TcpIpv6BothWaysArriveIntact) {
  rig_->tcp_both_ways(transfer_bytes(), harness::kClientAddress6, harness::kServerAddress6);
}

// The loss accounting above rests on the ledger reading the right counters in the right
// namespace: a receiver stopped for a whole transfer loses what its socket buffer cannot hold,
// and exactly that many datagrams must show up as its socket's drops, at no other stage.
TEST(UdpLossLedger, WhatAStoppedReceiverCouldNotHoldIsCountedAtItsSocket) {
  std::string why;
  if (!can_run(&why)) GTEST_SKIP() << why;
  TunRig rig("sync-normal");
  const auto run = rig.udp_run(8 << 20, harness::kServerAddress, 200, false, true);
  ASSERT_GT(run.sent, run.received) << "a stopped receiver lost nothing: the test proves nothing. "
                                    << TunRig::where(run);
  EXPECT_GT(run.received, 0u) << "its socket buffer held nothing";
  std::cout << TunRig::where(run);
  EXPECT_EQ(run.sent - run.received, run.dropped.receiver_rcvbuf_errors) << TunRig::where(run);
  EXPECT_EQ(run.dropped.receiver_udp_in_errors, run.dropped.receiver_rcvbuf_errors) << TunRig::where(run);
  EXPECT_EQ(run.dropped.per_packet_drops(), 0u) << TunRig::where(run);
  EXPECT_EQ(rig.stop_forwarder(), 0) << rig.err();
  for (const auto& d : rig.stats().directions) EXPECT_EQ(d.dropped, 0u) << d.from << "→" << d.to;
}

TEST_P(ForwardMode, UdpIpv4EveryDatagramArrivesIntact) {
  rig_->udp_a_to_b(udp_bytes(), harness::kServerAddress, udp_rate_mbps(), false);
}

// UDP_SEGMENT on the sender: with USO granted the forwarder reads UDP super-packets.
TEST_P(ForwardMode, UdpIpv6SegmentedEveryDatagramArrivesIntact) {
  rig_->udp_a_to_b(udp_bytes(), harness::kServerAddress6, udp_rate_mbps(), true);
}

INSTANTIATE_TEST_SUITE_P(AllModes, ForwardMode, ::testing::ValuesIn(all_mode_names()), param_name);

// The binary lists exactly the registry's modes, in text and as JSON (what the harness reads).
TEST(TunfwdList, OffersExactlyTheRegistrysModes) {
  if (!fs::exists(tunfwd())) GTEST_SKIP() << "tunfwd not built";
  const auto out = harness::run_checked({tunfwd().string(), "--list"});
  std::istringstream lines(out);
  std::vector<std::string> listed;
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::string first;
    if (words >> first) listed.push_back(first);
  }
  ASSERT_FALSE(listed.empty());
  EXPECT_EQ(listed, all_mode_names());
  const auto catalog = harness::TunfwdModes::query(tunfwd().string());
  EXPECT_EQ(catalog.names(), all_mode_names());
  for (const auto& name : catalog.names()) EXPECT_EQ(catalog.require(name).at("offload"), mode(name).offload) << name;
}

// /proc/PID/task/*/status "Cpus_allowed_list" of every thread of `pid`. A test failure when
// none is found: every thread check below would hold of an empty list.
std::vector<std::string> thread_cpus(pid_t pid) {
  std::vector<std::string> lists;
  for (const auto& task : fs::directory_iterator("/proc/" + std::to_string(pid) + "/task")) {
    const auto cpus = status_field(task.path() / "status", "Cpus_allowed_list");
    if (!cpus.empty()) lists.push_back(cpus);
  }
  if (lists.empty()) ADD_FAILURE() << "no thread of process " << pid << " has a Cpus_allowed_list";
  return lists;
}

// --cpus: every thread of a four-thread mode runs where it was told (threads started after the
// placement inherit it), the start-up line says so, and the forwarder still forwards.
TEST(CpuPlacement, EveryForwardingThreadRunsOnTheChosenCpu) {
  std::string why;
  if (!can_run(&why)) GTEST_SKIP() << why;
  // A mode with two queues: four forwarding threads.
  const auto multi = mode_names([](const forward::Mode& m) { return m.queues == 2 && !m.async; });
  ASSERT_FALSE(multi.empty());
  TunRig rig(multi.front(), {}, {"--cpus", "0"});
  ASSERT_TRUE(rig.wait_for_output("threads on cpu 0", seconds(10))) << rig.out() << rig.err();
  rig.tcp_a_to_b(16 << 20, "5361");
  const auto lists = thread_cpus(rig.forwarder().pid());
  EXPECT_GE(lists.size(), 5u) << "4 forwarding threads + main/signal thread";
  for (const auto& l : lists) EXPECT_EQ(l, "0");
  EXPECT_EQ(rig.stop_forwarder(), 0) << rig.err();
}

TEST(CpuPlacement, AutoPinsToTheHighestAllowedCpuNoneAndSyncNormalDoNot) {
  std::string why;
  if (!can_run(&why)) GTEST_SKIP() << why;
  const auto online = std::thread::hardware_concurrency();
  if (online < 2) GTEST_SKIP() << "auto leaves a one-CPU machine unpinned";
  const auto own_threads = thread_cpus(::getpid());
  ASSERT_FALSE(own_threads.empty());
  const auto& own = own_threads.front();  // e.g. "0-1"
  const auto highest = own.substr(own.find_last_of(",-") == std::string::npos ? 0 : own.find_last_of(",-") + 1);
  const auto pinned = mode_names([](const forward::Mode& m) { return m.pin_by_default; });
  const auto unpinned = mode_names([](const forward::Mode& m) { return !m.pin_by_default; });
  ASSERT_FALSE(pinned.empty());
  ASSERT_FALSE(unpinned.empty());
  {
    TunRig rig(pinned.front());
    ASSERT_TRUE(rig.wait_for_output("threads on cpu " + highest, seconds(10))) << rig.out() << rig.err();
    for (const auto& l : thread_cpus(rig.forwarder().pid())) EXPECT_EQ(l, highest);
    EXPECT_EQ(rig.stop_forwarder(), 0) << rig.err();
  }
  for (const auto& [name, cpus] : {std::pair{pinned.front(), "none"}, std::pair{unpinned.front(), "auto"}}) {
    SCOPED_TRACE(name + " --cpus " + cpus);
    TunRig rig(name, {}, {"--cpus", cpus});
    ASSERT_TRUE(rig.wait_for_output("threads not pinned", seconds(10))) << rig.out() << rig.err();
    for (const auto& l : thread_cpus(rig.forwarder().pid())) EXPECT_EQ(l, own);
    EXPECT_EQ(rig.stop_forwarder(), 0) << rig.err();
  }
}

// --threads 2: every async mode with an event loop per direction, each on its own thread, carries
// a stream each way intact and balances its counters; the two loops are not put on one CPU.
class AsyncThreads : public ::testing::TestWithParam<std::string> {};

TEST_P(AsyncThreads, TwoEventLoopThreadsCarryBothWays) {
  std::string why;
  if (!can_run(&why)) GTEST_SKIP() << why;
  TunRig rig(GetParam(), {}, {"--threads", "2"});
  ASSERT_TRUE(rig.wait_for_output("2 event loop(s)", seconds(10))) << rig.out() << rig.err();
  EXPECT_NE(rig.out().find("threads not pinned"), std::string::npos) << rig.out();
  rig.tcp_both_ways(env_or("TB_THREADS_MB", 32) << 20);
  EXPECT_EQ(rig.stop_forwarder(), 0) << rig.err();
  const auto stats = rig.stats();
  ASSERT_EQ(stats.directions.size(), 2u);
  for (const auto& d : stats.directions) {
    EXPECT_EQ(d.dropped, 0u) << d.from << "→" << d.to;
    EXPECT_TRUE(d.balanced()) << d.from << "→" << d.to;
  }
}

// Without --threads an async mode runs the loops its registry entry says: one per direction
// (unpinned) for loop_per_direction on a machine with two CPUs or more, else one.
TEST_P(AsyncThreads, DefaultLoopsFollowTheRegistry) {
  std::string why;
  if (!can_run(&why)) GTEST_SKIP() << why;
  const forward::Mode* mode = forward::find_mode(GetParam());
  ASSERT_NE(mode, nullptr);
  const bool two = mode->loop_per_direction && std::thread::hardware_concurrency() >= 2;
  TunRig rig(GetParam());
  ASSERT_TRUE(rig.wait_for_output(two ? "2 event loop(s)" : "1 event loop(s)", seconds(10))) << rig.out() << rig.err();
  if (two) {
    EXPECT_NE(rig.out().find("threads not pinned"), std::string::npos) << rig.out();
  }
  EXPECT_EQ(rig.stop_forwarder(), 0) << rig.err();
}

INSTANTIATE_TEST_SUITE_P(AsyncModes, AsyncThreads,
                         ::testing::ValuesIn(mode_names([](const forward::Mode& m) { return m.async; })), param_name);

}  // namespace

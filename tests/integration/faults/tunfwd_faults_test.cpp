// tunfwd under faults, through real TUN devices between harness namespaces (faults_rig.h):
// a device deleted under it, GSO writes refused with EINVAL, a write queue that refuses
// (ENOBUFS), the balance of its counters in every mode, and --user (privilege drop).
// The refusals are injected by the test-only tunfwd-faults (TUNFWD_FAULT_*, faults/fault_plan.h).
#include <chrono>
#include <iostream>

#include "faults_rig.h"
#include "support/modes.h"
#include "support/proc_status.h"

namespace tbtest {
namespace {

std::uint64_t mb(const char* env, std::uint64_t fallback) { return env_or(env, fallback) << 20; }

#define FAULTS_REQUIRE()                     \
  do {                                       \
    std::string why;                         \
    if (!can_run(&why)) GTEST_SKIP() << why; \
  } while (0)

// ── 1. A TUN device deleted under a running forwarder ─────────────────────────────────────────
class DeviceDeleted : public ::testing::TestWithParam<std::string> {};

TEST_P(DeviceDeleted, ExitsWithinOneSecondNamingTheDeviceWithCounters) {
  FAULTS_REQUIRE();
  TunRig rig(GetParam());
  rig.tcp_a_to_b(1 << 20, "5321");  // it forwards before the fault
  ASSERT_FALSE(::testing::Test::HasFailure());

  const auto t0 = std::chrono::steady_clock::now();
  harness::run_checked({"ip", "-n", rig.topology().client_ns(), "link", "del", "tun11"});
  // The bound we hold tunfwd to: it notices a vanished device within 1 s.
  const bool exited = rig.forwarder().wait_for(seconds(5), false);
  const auto elapsed = std::chrono::steady_clock::now() - t0;
  ASSERT_TRUE(exited) << "tunfwd still running 5 s after tun11 was deleted; stderr:\n" << rig.err();
  EXPECT_LT(elapsed, seconds(1)) << "took " << std::chrono::duration_cast<milliseconds>(elapsed).count() << " ms";
  std::cout << "[ info     ] " << GetParam() << ": exited " << std::chrono::duration_cast<milliseconds>(elapsed).count()
            << " ms after the deletion: " << harness::tail_lines(rig.err(), 1);
  const int status = rig.forwarder().exit_status().value_or(0);
  EXPECT_NE(status, 0) << "a lost device is a failure";
  EXPECT_LT(status, 128) << "exited by itself, not killed by a signal";
  const auto err = rig.err();
  EXPECT_NE(err.find("tun11"), std::string::npos) << err;
  EXPECT_NE(err.find("tunfwd: stopped: tun11: read failed"), std::string::npos) << err;
  EXPECT_NE(err.find("the device is gone"), std::string::npos) << err;
  const auto dirs = rig.stats().directions;
  ASSERT_EQ(dirs.size(), 2u) << rig.out();
  EXPECT_GT(dirs[0].written, 0u);
}

INSTANTIATE_TEST_SUITE_P(AllModes, DeviceDeleted, ::testing::ValuesIn(all_mode_names()), param_name);

// ── 2. GSO writes refused with EINVAL on a real device: fallback to segments ─────────────────
TEST(GsoEinval, SyncGsoFallsBackToSegmentsAndTheStreamArrivesIntact) {
  FAULTS_REQUIRE();
  TunRig rig("sync-gso", {"TUNFWD_FAULT_GSO_EINVAL=5"}, {}, tunfwd_faults());
  rig.tcp_a_to_b(mb("TB_FAULT_GSO_MB", 64), "5331");
  ASSERT_EQ(rig.stop_forwarder(), 0) << rig.err();
  EXPECT_NE(rig.err().find("TEST-ONLY fault injection active: TUNFWD_FAULT_GSO_EINVAL=5"), std::string::npos)
      << rig.err();
  const auto dirs = rig.stats().directions;
  ASSERT_EQ(dirs.size(), 2u) << rig.out();
  show("sync-gso, every 5th GSO write EINVAL", rig.out());
  // a→b carries the data (tun11→tun22 is written to tun22 with GSO super-packets).
  EXPECT_GT(dirs[0].gso_fallbacks, 0u) << rig.out();
  for (const auto& d : dirs) {
    EXPECT_EQ(d.dropped, 0u) << "a refused GSO write is resent, not dropped:\n" << rig.out();
    expect_balanced(d, true, "gso-einval");
  }
}

// ── 3. A write queue that refuses (ENOBUFS): counted drops, no crash, no busy spin ───────────
class QueueFull : public ::testing::TestWithParam<std::string> {};

TEST_P(QueueFull, CountsDropsKeepsForwardingAndDoesNotSpin) {
  FAULTS_REQUIRE();
  TunRig rig(GetParam(), {"TUNFWD_FAULT_WRITE_ENOBUFS=50"}, {}, tunfwd_faults());
  const auto bytes = mb("TB_FAULT_ENOBUFS_MB", 8);
  rig.tcp_a_to_b(bytes, "5341", "41");
  rig.tcp_a_to_b(bytes, "5342", "42");  // still forwarding after the refusals
  ASSERT_TRUE(rig.forwarder().running()) << rig.err();

  // Traffic has stopped: over the next second the forwarder must sleep, not spin. The 1 s wait
  // is the measurement window (the forwarder is expected NOT to exit).
  const auto before = cpu_ticks(rig.forwarder().pid());
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_FALSE(rig.forwarder().wait_for(seconds(1), false)) << "tunfwd exited: " << rig.err();
  const auto after = cpu_ticks(rig.forwarder().pid());
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_TRUE(before && after);
  const double cpu = static_cast<double>(*after - *before) / static_cast<double>(::sysconf(_SC_CLK_TCK));
  std::cout << "[ info     ] " << GetParam() << ": idle CPU " << cpu << " s over " << wall << " s\n";
  EXPECT_LT(cpu / wall, 0.05) << "idle forwarder used " << cpu << " s CPU in " << wall << " s";

  ASSERT_EQ(rig.stop_forwarder(), 0) << rig.err();
  const auto dirs = rig.stats().directions;
  ASSERT_EQ(dirs.size(), 2u) << rig.out();
  show(GetParam() + ", every 50th write ENOBUFS", rig.out());
  EXPECT_GT(dirs[0].dropped_for("write-queue-full"), 0u) << rig.out();
  EXPECT_EQ(dirs[0].dropped, dirs[0].dropped_for("write-queue-full")) << "no other reason expected:\n" << rig.out();
  for (const auto& d : dirs) expect_balanced(d, mode(GetParam()).offload, "enobufs");
}

INSTANTIATE_TEST_SUITE_P(SyncAndAsync, QueueFull,
                         ::testing::Values("sync-normal", "sync-gso", "async-gso", "passthrough"), param_name);

// ── 5. Counters balance per direction after a transfer, every mode ────────────────────────────
class CountersBalance : public ::testing::TestWithParam<std::string> {};

TEST_P(CountersBalance, ReadEqualsWrittenPlusDroppedEachWay) {
  FAULTS_REQUIRE();
  TunRig rig(GetParam());
  const auto bytes = mb("TB_FAULT_XFER_MB", 16);
  rig.tcp_both_ways(bytes);
  ASSERT_EQ(rig.stop_forwarder(), 0) << rig.err();
  const auto dirs = rig.stats().directions;
  ASSERT_EQ(dirs.size(), 2u) << rig.out();
  EXPECT_EQ(dirs[0].from, "tun11");
  EXPECT_EQ(dirs[1].from, "tun22");
  show(GetParam(), rig.out());
  for (const auto& d : dirs) {
    expect_balanced(d, mode(GetParam()).offload, rig.out());
    EXPECT_GT(d.reads, 0u);
    // Both directions carried a whole stream (plus headers and ACKs).
    EXPECT_GT(d.bytes, bytes) << rig.out();
  }
}

INSTANTIATE_TEST_SUITE_P(AllModes, CountersBalance, ::testing::ValuesIn(all_mode_names()), param_name);

// ── 6. --user: drop root and every capability after opening the devices ─────────────────────
TEST(DropPrivileges, RunsAsNobodyWithoutCapabilitiesAndForwards) {
  FAULTS_REQUIRE();
  // The process becomes non-dumpable after setuid: LeakSanitizer could no longer inspect it at
  // exit (it would fail the run), so leak checking is off for this one run of a sanitized build.
  TunRig rig("passthrough", {"ASAN_OPTIONS=detect_leaks=0"}, {"--user", "nobody"});
  ASSERT_TRUE(rig.wait_for_output("running as user nobody", seconds(10))) << rig.out() << rig.err();
  const pid_t pid = rig.forwarder().pid();
  const auto uid = status_field(pid, "Uid");
  EXPECT_EQ(uid, "65534\t65534\t65534\t65534") << "real, effective, saved, fs uid";
  EXPECT_EQ(status_field(pid, "Gid"), "65534\t65534\t65534\t65534");
  EXPECT_EQ(status_field(pid, "Groups"), "65534");
  for (const char* set : {"CapEff", "CapPrm", "CapInh", "CapBnd", "CapAmb"})
    EXPECT_EQ(status_field(pid, set), "0000000000000000") << set;
  EXPECT_EQ(status_field(pid, "NoNewPrivs"), "1");

  rig.tcp_a_to_b(mb("TB_FAULT_USER_MB", 64), "5351");
  EXPECT_EQ(status_field(pid, "Uid"), uid) << "still nobody after the transfer";
  ASSERT_EQ(rig.stop_forwarder(), 0) << rig.err();
  const auto dirs = rig.stats().directions;
  ASSERT_EQ(dirs.size(), 2u) << rig.out();
  for (const auto& d : dirs) {
    EXPECT_EQ(d.dropped, 0u) << rig.out();
    expect_balanced(d, true, "--user");
  }
}

TEST(DropPrivileges, UnknownUserIsAClearError) {
  FAULTS_REQUIRE();
  // In the harness's forwarder namespace: tunfwd creates its devices before dropping, so this
  // must never run in the root namespace.
  harness::Topology topology(harness::suts::forwarder({"true"}), namespace_tag(), nullptr);
  const auto r =
      harness::run_command({tunfwd().string(), "--mode", all_mode_names().front(), "--user", "tb-no-such-user-xyz"},
                           topology.ns("fwd"), seconds(30));
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("--user tb-no-such-user-xyz: no such user 'tb-no-such-user-xyz'"), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find("tun11:"), std::string::npos) << "must stop before opening a device:\n" << r.out;
}

}  // namespace
}  // namespace tbtest

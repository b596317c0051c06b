// The edges of relaying: a client that reads slower than the server sends (the backlog must
// stay in the kernel's socket buffers, not in tunstack's memory), UDP datagrams of every size
// from 1 byte to the largest IPv4 allows, a destination that refuses the connection, and the
// TUN's transmit queue (what the client's kernel holds for tunstack) at the length asked.
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "harness/command.h"
#include "support/stack_tun_rig.h"
#include "support/test_names.h"

namespace {

using namespace tbtest;
using stack_rig::seconds;

class StackEdges : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    if (!can_run_stack(&why)) GTEST_SKIP() << why;
  }
};

// TB_STACK_SLOW_MB: what the slow reader reads (24 MB by default: about 4 s at 50 Mbit/s).
std::uint64_t slow_bytes() { return env_or("TB_STACK_SLOW_MB", 24) << 20; }

TEST_F(StackEdges, SlowReaderKeepsTheBacklogInTheKernelNotInTunstack) {
  constexpr double kRateMbps = 50;
  // The reader's socket buffers are small (256 KB), so its window closes soon and the rest waits
  // in tunstack's socket towards the server (and the server's own): kernel memory, not tunstack's.
  constexpr int kReaderBuffer = 256 << 10;
  // What tunstack's RSS may grow by meanwhile (kB): a packet buffer's worth of pages and the
  // allocator's noise, far below the backlog (megabytes) it must not hold.
  constexpr std::uint64_t kBacklogRssGrowthKb = 2048;
  const std::uint64_t bytes = slow_bytes();
  StackTunRig rig(1500);
  const auto rss_idle = rig.rss_kb();
  const auto t = rig.download(bytes, 4, 5601, "33", kRateMbps, kReaderBuffer);
  StackTunRig::expect_intact(t, bytes);
  const double floor_s = static_cast<double>(bytes) * 8 / (kRateMbps * 1e6);
  std::cout << fmt::format(
      "[ figures  ] slow reader: {} MB at {} Mbit/s in {:.2f} s (floor {:.2f} s); tunstack RSS idle {} kB, max {} kB "
      "over {} samples (+{} kB)\n",
      bytes >> 20, kRateMbps, t.seconds, floor_s, rss_idle, t.max_rss_kb, t.samples,
      t.max_rss_kb > rss_idle ? t.max_rss_kb - rss_idle : 0);
  RecordProperty("rss_idle_kb", std::to_string(rss_idle));
  RecordProperty("rss_max_kb", std::to_string(t.max_rss_kb));
  // It really was slow: the reader set the pace, so the server had to wait on the path.
  EXPECT_GE(t.receiver.report.value("seconds", 0.0), 0.9 * floor_s);
  EXPECT_LE(t.max_rss_kb, rss_idle + kBacklogRssGrowthKb) << "tunstack's memory grew with the backlog";
  ASSERT_EQ(rig.stop_stack(), 0) << rig.logs();
  const auto s = rig.stats();
  ASSERT_TRUE(s.written());
  std::cout << "[ counters ] " << s.dump() << "\n";
  EXPECT_GE(s["bytes_to_client"], bytes);
  EXPECT_EQ(s["tcp_reset"] + s["tcp_refused"] + s["tcp_expired"], 0u) << s.dump();
  EXPECT_EQ(s.drops_except({"protocol"}), "") << s.dump();
}

// --- UDP ---------------------------------------------------------------------------------------

struct UdpCase {
  int mtu;
  int version;
  std::string name;
};
// What ctest lists for the case: its name, not its bytes.
void PrintTo(const UdpCase& c, std::ostream* os) { *os << c.name; }

class StackUdp : public ::testing::TestWithParam<UdpCase> {
 protected:
  void SetUp() override {
    std::string why;
    if (!can_run_stack(&why)) GTEST_SKIP() << why;
  }
};

// One datagram of each size each way, each either arriving intact or counted by tunstack:
// - Client → server, a datagram that fits the TUN's MTU arrives intact; a larger one leaves the
//   client's kernel as IP fragments, which tunstack does not reassemble: each fragment is
//   counted as dropped (`ip-header`).
// - Server → client, tunstack reads the datagram whole from its socket and writes it to tun0 as
//   one packet (the TUN takes packets above its MTU): intact when the packet fits its 64 KB
//   buffer (IPv4: up to 65507 bytes, all of them; IPv6: up to 65487), else counted
//   (`udp-too-big`), never cut short.
TEST_P(StackUdp, DatagramsFromOneByteTo65507ArriveIntactOrAreCounted) {
  const auto& c = GetParam();
  const std::vector<std::size_t> sizes{1, 100, 1400, 8000, 65507};
  StackTunRig rig(c.mtu);
  const std::string addr = stack_server_address(c.version);
  auto& server = rig.start(rig.server_ns(), "udp-echo", {"udp-echo", "--bind", addr, "--port", "5701"}, "ready");
  auto& client = rig.start(rig.client_ns(), "udp-sizes",
                           {"udp-sizes", "--to", addr, "--port", "5701", "--sizes", "1,100,1400,8000,65507"});
  const auto cr = rig.finish(client, "udp-sizes", seconds(60));
  const auto sr = rig.finish(server, "udp-echo", seconds(10));
  ASSERT_TRUE(cr.ok() && sr.ok());
  ASSERT_EQ(rig.stop_stack(), 0) << rig.logs();
  const auto s = rig.stats();
  ASSERT_TRUE(s.written());
  std::cout << "[ results  ] " << c.name << ": " << cr.report.dump() << "\n[ counters ] " << s.dump() << "\n";

  const auto& rows = cr.report["results"];
  ASSERT_EQ(rows.size(), sizes.size()) << cr.report.dump();
  const std::size_t headers = c.version == 4 ? 20 + 8 : 40 + 8;
  constexpr std::size_t kLargestPacket = 65535;  // tunstack's packet buffer to the client
  std::uint64_t lost_up = 0, lost_down = 0;
  for (const auto& row : rows) {
    const auto size = row.value("size", std::size_t{0});
    const auto up = row.value("up", ""), down = row.value("down", "");
    SCOPED_TRACE(fmt::format("{} bytes: {}", size, row.dump()));
    if (size + headers <= static_cast<std::size_t>(c.mtu))
      EXPECT_EQ(up, "ok") << "client → server";
    else
      EXPECT_TRUE(up == "ok" || up == "lost") << "client → server";
    if (size + headers <= kLargestPacket)
      EXPECT_EQ(down, "ok") << "server → client";
    else
      EXPECT_TRUE(down == "ok" || down == "lost") << "server → client";
    lost_up += up == "lost" ? 1 : 0;
    lost_down += down == "lost" ? 1 : 0;
  }
  // Whatever reached the server was intact.
  for (const auto& u : sr.report["uploads"]) EXPECT_TRUE(u.value("ok", false)) << u.dump();
  // A datagram lost on the way up was counted, fragment by fragment (at least two each try).
  if (lost_up > 0)
    EXPECT_GE(s.dropped("ip-header"), 2 * lost_up) << "datagrams lost uncounted: " << s.dump();
  else
    EXPECT_EQ(s.dropped("ip-header"), 0u) << s.dump();
  // One lost on the way down was counted once per answer the server sent.
  if (lost_down > 0)
    EXPECT_GE(s.dropped("udp-too-big"), lost_down) << "datagrams lost uncounted: " << s.dump();
  else
    EXPECT_EQ(s.dropped("udp-too-big"), 0u) << s.dump();
  EXPECT_EQ(s.drops_except({"protocol", "ip-header", "udp-too-big"}), "") << s.dump();
  EXPECT_EQ(s["udp_flows"], 1u) << s.dump();
  EXPECT_GE(s["udp_datagrams_out"], sizes.size() - lost_down) << "answers relayed to the client: " << s.dump();
}

INSTANTIATE_TEST_SUITE_P(MtuFamily, StackUdp,
                         ::testing::Values(UdpCase{1500, 4, "Mtu1500Ipv4"}, UdpCase{1500, 6, "Mtu1500Ipv6"},
                                           UdpCase{9000, 4, "Mtu9000Ipv4"}, UdpCase{9000, 6, "Mtu9000Ipv6"}),
                         case_name);

// --- refused ------------------------------------------------------------------------------------

// Nothing listens on the port in b: the server's kernel answers tunstack's connect with RST,
// and tunstack answers the client's SYN with RST (docs/stack.md rule 1), so the client's
// connect fails at once with ECONNREFUSED, not after its SYN retries (a timeout of minutes).
TEST_F(StackEdges, ConnectToAClosedPortFailsFastWithEconnrefused) {
  // One round trip through the stack takes well under a millisecond here; a lost SYN-ACK or RST
  // would cost the client a retransmission after 1 s.
  constexpr double kFastMs = 1000;
  StackTunRig rig(1500);
  for (const int version : {4, 6}) {
    SCOPED_TRACE(fmt::format("IPv{}", version));
    const auto name = fmt::format("connect-{}", version);
    auto& p = rig.start(rig.client_ns(), name,
                        {"connect", "--to", stack_server_address(version), "--port", "5999", "--timeout-ms", "10000"});
    const auto r = rig.finish(p, name, seconds(30));
    ASSERT_TRUE(r.ok());
    std::cout << "[ result   ] IPv" << version << ": " << r.report.dump() << "\n";
    EXPECT_FALSE(r.report.value("connected", true));
    EXPECT_EQ(r.report.value("error", ""), "ECONNREFUSED") << r.report.dump();
    EXPECT_LT(r.report.value("ms", 1e9), kFastMs) << r.report.dump();
  }
  ASSERT_EQ(rig.stop_stack(), 0) << rig.logs();
  const auto s = rig.stats();
  ASSERT_TRUE(s.written());
  std::cout << "[ counters ] " << s.dump() << "\n";
  EXPECT_EQ(s["tcp_refused"], 2u) << s.dump();
  EXPECT_EQ(s["tcp_opened"], 0u) << s.dump();
  EXPECT_EQ(s.drops_except({"protocol"}), "") << s.dump();
}

// The client's tun0 as `ip -j link` describes it in the client's namespace.
std::uint64_t tun_tx_queue_len(const StackTunRig& rig) {
  const auto links =
      nlohmann::json::parse(harness::run_checked({"ip", "-j", "link", "show", "dev", "tun0"}, rig.client_ns()));
  return links.at(0).at("txqlen").get<std::uint64_t>();
}

TEST_F(StackEdges, TheTunQueuesAsManyPacketsForTheStackAsAsked) {
  StackTunRig asked(1500, {"--txqueuelen", "4096"});
  EXPECT_EQ(tun_tx_queue_len(asked), 4096u) << asked.logs();
  EXPECT_NE(asked.out().find("txqueuelen 4096"), std::string::npos) << asked.logs();
  StackTunRig unset(1500);
  EXPECT_EQ(tun_tx_queue_len(unset), 500u) << "the kernel's default for a TUN\n" << unset.logs();
  EXPECT_NE(unset.out().find("txqueuelen the kernel's default"), std::string::npos) << unset.logs();
}

}  // namespace

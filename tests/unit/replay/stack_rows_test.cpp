// tunreplay's rows of tunstack's engine (bench/replay/stack_workload.h, stack_row.h): the client's
// packets are what the stack accepts (a handshake, then the workload's segments), and every row
// moves exactly its workload through the engine, with the device calls the design implies.
#ifdef TB_REPLAY_NO_VALGRIND
#include <gtest/gtest.h>
TEST(StackRows, NeedValgrindsHeader) { GTEST_SKIP() << "built without valgrind/callgrind.h, as tunreplay"; }
#else
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "packet/tcp_header.h"
#include "packet/view.h"
#include "stack/inbound.h"
#include "stack_row.h"
#include "stack_workload.h"

namespace {

using replay::StackTraffic;
using replay::StackWorkload;

const StackWorkload& workload(const std::vector<StackWorkload>& all, const std::string& name) {
  for (const auto& w : all)
    if (w.name == name) return w;
  throw std::runtime_error("no stack workload " + name);
}

stack::Inbound parse(const replay::Read& r) {
  stack::Inbound in;
  const auto drop = stack::parse_inbound(r.header, r.bytes, in);
  EXPECT_FALSE(drop.has_value()) << "the stack drops a packet of the workload: " << static_cast<int>(*drop);
  return in;
}

TEST(StackWorkloads, EveryRowHasWholePacketsOfAtLeastTheSegmentsAsked) {
  const auto all = replay::stack_workloads(1500);
  std::set<std::string> names;
  for (const auto& w : all) {
    EXPECT_TRUE(names.insert(w.name).second) << "two workloads named " << w.name;
    EXPECT_GE(w.segments(), 1500u) << w.name;
    EXPECT_LT(w.segments(), 1500u + w.per_packet) << w.name << ": more packets than needed";
    EXPECT_EQ(w.payload_bytes(), w.segments() * w.segment_payload) << w.name;
  }
  for (const char* n : {"tcp4-up-gso", "tcp6-up-gso", "tcp4-up-mss", "tcp6-up-mss", "tcp4-up-mss-csum", "tcp4-down",
                        "tcp6-down", "udp4-up", "udp4-up-gso", "udp4-down-gro"})
    EXPECT_TRUE(names.count(n)) << n;
  EXPECT_EQ(workload(all, "tcp4-up-gso").packets, 34u);  // 34 × 45 = 1530 segments
}

TEST(StackWorkloads, TheSynOffersWhatTunstackAnswers) {
  const auto flow = replay::stack_flow(6, packet::kProtoTcp);
  replay::ClientSegment s;
  s.seq = 1000;
  s.flags = packet::TcpHeader::kSyn;
  s.window = 65535;
  s.options = replay::client_syn_options(1440, 5000, 3);
  const stack::Inbound in = parse(replay::client_tcp(flow, s));
  EXPECT_EQ(in.flow, flow);
  EXPECT_EQ(in.flags, packet::TcpHeader::kSyn);
  EXPECT_EQ(in.seq, 1000u);
  EXPECT_EQ(in.options.mss, 1440);
  EXPECT_EQ(in.options.window_scale, 3);
  EXPECT_TRUE(in.options.sack_permitted);
  EXPECT_EQ(in.options.ts_val, 5000u);
}

TEST(StackWorkloads, UploadSuperPacketsContinueTheSequenceAsTsoDeliversThem) {
  const auto all = replay::stack_workloads(1500);
  for (const char* name : {"tcp4-up-gso", "tcp6-up-gso"}) {
    const StackWorkload& w = workload(all, name);
    const auto flow = replay::stack_flow(w.version, packet::kProtoTcp);
    const auto reads = replay::tcp_upload(w, flow, 1001, 77, 100, 6000, 9000);
    ASSERT_EQ(reads.size(), w.packets) << name;
    std::uint32_t seq = 1001;
    for (const auto& r : reads) {
      EXPECT_TRUE(r.header.is_gso()) << name;
      EXPECT_TRUE(r.header.needs_csum()) << name;
      EXPECT_EQ(r.header.gso_size, w.segment_payload) << name;
      EXPECT_EQ(r.header.gso_type, w.version == 4 ? vnet::kGsoTcpV4 : vnet::kGsoTcpV6) << name;
      const stack::Inbound in = parse(r);
      EXPECT_EQ(in.seq, seq) << name;
      EXPECT_EQ(in.ack, 77u) << name;
      EXPECT_EQ(in.options.ts_ecr, 9000u) << name;
      EXPECT_EQ(in.payload.size(), replay::kTsoSegments * w.segment_payload) << name;
      seq += static_cast<std::uint32_t>(in.payload.size());
    }
  }
}

TEST(StackWorkloads, PlainSegmentsWithFullChecksumsAreChecked) {
  const auto all = replay::stack_workloads(1500);
  const StackWorkload& w = workload(all, "tcp4-up-mss-csum");
  const auto reads = replay::tcp_upload(w, replay::stack_flow(4, packet::kProtoTcp), 1, 1, 100, 1, 1);
  ASSERT_EQ(reads.size(), 1500u);
  EXPECT_EQ(reads[0].header, vnet::VnetHeader{});
  EXPECT_EQ(parse(reads[0]).payload.size(), 1448u);
  replay::Read bad = reads[0];
  bad.bytes.back() ^= 0xFF;  // the stack verifies it: the payload no longer matches the checksum
  stack::Inbound in;
  EXPECT_EQ(stack::parse_inbound(bad.header, bad.bytes, in), stack::Drop::kTcpChecksum);
}

TEST(StackWorkloads, UsoDatagramsCarryTheirSize) {
  const auto all = replay::stack_workloads(1500);
  const StackWorkload& w = workload(all, "udp4-up-gso");
  const auto reads = replay::udp_upload(w, replay::stack_flow(4, packet::kProtoUdp));
  ASSERT_EQ(reads.size(), w.packets);
  const stack::Inbound in = parse(reads[0]);
  EXPECT_EQ(in.gso_size, 1472);
  EXPECT_EQ(in.payload.size(), replay::kUsoDatagrams * 1472);
}

TEST(StackRows, EveryWorkloadGoesThroughTheEngine) {
  for (const auto& w : replay::stack_workloads(1500)) {
    const replay::RowResult r = replay::run_stack_row(w, false);
    EXPECT_TRUE(r.ok) << w.name << ": " << r.error;
    EXPECT_EQ(r.mode, "tunstack");
    EXPECT_EQ(r.segments, w.segments()) << w.name;
    EXPECT_GT(r.socket_calls, 0u) << w.name;
    switch (w.traffic) {
      case StackTraffic::kTcpUpload:
        EXPECT_EQ(r.in.reads, w.packets) << w.name;
        // One ACK per connection per wake-up (TcpEngine::flush), the wake-ups reading `batch` each.
        EXPECT_EQ(r.out.writes, (w.packets + w.batch - 1) / w.batch) << w.name;
        break;
      case StackTraffic::kTcpDownload:
        // Super-packets of 45 segments to the client, one ACK back for each.
        EXPECT_EQ(r.out.gso_writes, w.packets) << w.name;
        EXPECT_EQ(r.out.segments_out, w.segments()) << w.name;
        EXPECT_EQ(r.in.reads, w.packets) << w.name;
        break;
      case StackTraffic::kUdpUpload:
        EXPECT_EQ(r.in.reads, w.packets) << w.name;
        EXPECT_EQ(r.out.writes, 0u) << w.name;
        break;
      case StackTraffic::kUdpDownload:
        EXPECT_EQ(r.out.gso_writes, w.packets) << w.name;
        EXPECT_EQ(r.out.segments_out, w.segments()) << w.name;
        break;
    }
  }
}

TEST(StackRows, RepeatExactly) {
  const auto all = replay::stack_workloads(300);
  const StackWorkload& w = workload(all, "tcp6-down");
  const replay::RowResult a = replay::run_stack_row(w, false);
  const replay::RowResult b = replay::run_stack_row(w, false);
  ASSERT_TRUE(a.ok) << a.error;
  EXPECT_EQ(a.in.bytes_in, b.in.bytes_in);
  EXPECT_EQ(a.out.bytes_out, b.out.bytes_out);
  EXPECT_EQ(a.socket_calls, b.socket_calls);
}

TEST(StackRows, ARowThatDoesNotMoveItsBytesIsNotOk) {
  StackWorkload w = workload(replay::stack_workloads(100), "tcp4-up-gso");
  w.batch = 0;  // the client's data never becomes readable
  const replay::RowResult r = replay::run_stack_row(w, false);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("the socket took 0 of"), std::string::npos) << r.error;
}

}  // namespace
#endif

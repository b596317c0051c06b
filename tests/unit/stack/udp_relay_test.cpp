// The UDP relay: one connected socket per flow, USO super-packets out as one send, replies (and
// GRO runs, as USO super-packets) back to the client, idle flows closed, a bounded flow table.
#include <cerrno>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "packet/checksum.h"
#include "support/packet_builder.h"
#include "support/stack_rig.h"

namespace {

using namespace tbtest;
using stack::Drop;

TEST(UdpRelay, DatagramOpensOneFlowAndIsSentOnce) {
  StackRig rig;
  ClientFlow f;
  const Bytes data = pattern(100);
  EXPECT_EQ(rig.client_sends_udp(f, data), std::nullopt);
  ASSERT_EQ(rig.sockets().datagrams.size(), 1u);
  const auto token = rig.sockets().last_datagram;
  EXPECT_NE(token & stack::kUdpTokenBit, 0u) << "UDP tokens are told apart from TCP ones";
  EXPECT_EQ(rig.sockets().flows.at(token), f.key(packet::kProtoUdp));
  auto* s = rig.sockets().datagrams.at(token);
  ASSERT_EQ(s->sent.size(), 1u);
  EXPECT_EQ(s->sent[0].payload, data);
  EXPECT_EQ(s->sent[0].gso_size, 0);
  EXPECT_EQ(rig.udp().flows(), 1u);
  EXPECT_EQ(rig.counters().udp_flows, 1u);
  EXPECT_EQ(rig.counters().udp_datagrams_in, 1u);
  EXPECT_TRUE(rig.sink().written.empty());
  // The next datagram of the flow takes the same socket.
  rig.client_sends_udp(f, pattern(50, 2));
  EXPECT_EQ(rig.sockets().datagrams.size(), 1u);
  ASSERT_EQ(s->sent.size(), 2u);
  EXPECT_EQ(s->sent[1].payload, pattern(50, 2));
  EXPECT_EQ(rig.counters().udp_flows, 1u);
  EXPECT_EQ(rig.counters().udp_datagrams_in, 2u);
  // Another port is another flow.
  ClientFlow g = f;
  g.client_port = 40001;
  rig.client_sends_udp(g, data);
  EXPECT_EQ(rig.udp().flows(), 2u);
  EXPECT_EQ(rig.counters().udp_flows, 2u);
}

struct UsoRow {
  const char* name;
  int version;
  std::size_t payload;
  std::uint16_t gso_size;       // of the super-packet from the client
  std::uint16_t sent_gso_size;  // of the send(): 0 when it is one datagram
  std::uint64_t datagrams;
};

class UsoOut : public testing::TestWithParam<UsoRow> {};

TEST_P(UsoOut, SuperPacketGoesOutAsOneSendWithItsGsoSize) {
  const UsoRow r = GetParam();
  StackRig rig;
  const ClientFlow f = r.version == 4 ? ClientFlow{} : ClientFlow::v6();
  const Bytes data = pattern(r.payload);
  EXPECT_EQ(rig.client_sends_udp(f, data, r.gso_size), std::nullopt);
  ASSERT_EQ(rig.sockets().datagrams.size(), 1u);
  const auto* s = rig.sockets().datagrams.begin()->second;
  ASSERT_EQ(s->sent.size(), 1u);
  EXPECT_EQ(s->sent[0].payload, data);
  EXPECT_EQ(s->sent[0].gso_size, r.sent_gso_size);
  EXPECT_EQ(rig.counters().udp_datagrams_in, r.datagrams);
  EXPECT_EQ(rig.counters().packets_in, 1u);
}

INSTANTIATE_TEST_SUITE_P(UdpRelay, UsoOut,
                         testing::Values(UsoRow{"ThreeWhole", 4, 3600, 1200, 1200, 3},
                                         UsoRow{"ShortLast", 4, 2401, 1200, 1200, 3},
                                         UsoRow{"Ipv6", 6, 5000, 1000, 1000, 5},
                                         UsoRow{"OneDatagramExactly", 4, 1200, 1200, 0, 1},
                                         UsoRow{"OneShortDatagram", 4, 700, 1200, 0, 1}),
                         [](const testing::TestParamInfo<UsoRow>& i) { return std::string(i.param.name); });

TEST(UdpRelay, ReplyComesBackAsOneDatagram) {
  StackRig rig;
  ClientFlow f;
  rig.client_sends_udp(f, pattern(10));
  const auto token = rig.sockets().last_datagram;
  const Bytes reply = pattern(200, 3);
  rig.sockets().datagrams.at(token)->server_replies(reply);
  rig.socket_event(token, {true, false, false});
  const auto out = rig.take_udp();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].header, vnet::VnetHeader{}) << "one datagram, its checksum complete";
  EXPECT_EQ(out[0].src_port, f.server_port);
  EXPECT_EQ(out[0].dst_port, f.client_port);
  EXPECT_EQ(out[0].udp_length, 8 + 200);
  EXPECT_EQ(out[0].payload, reply);
  EXPECT_TRUE(l4_checksum_ok(out[0].bytes));
  const auto ip = packet::parse_ip(out[0].bytes);
  ASSERT_TRUE(ip.ok);
  EXPECT_TRUE(std::equal(ip.layers.src.begin(), ip.layers.src.end(), f.server.begin()));
  EXPECT_TRUE(std::equal(ip.layers.dst.begin(), ip.layers.dst.end(), f.client.begin()));
  EXPECT_EQ(rig.counters().udp_datagrams_out, 1u);
  EXPECT_EQ(rig.counters().packets_out, 1u);
}

TEST(UdpRelay, EveryQueuedReplyIsRelayedOnOneEvent) {
  StackRig rig;
  ClientFlow f;
  rig.client_sends_udp(f, pattern(10));
  const auto token = rig.sockets().last_datagram;
  for (std::uint32_t i = 0; i < 3; ++i) rig.sockets().datagrams.at(token)->server_replies(pattern(100 + i, i));
  rig.socket_event(token, {true, false, false});
  const auto out = rig.take_udp();
  ASSERT_EQ(out.size(), 3u);
  for (std::uint32_t i = 0; i < 3; ++i) EXPECT_EQ(out[i].payload, pattern(100 + i, i));
  EXPECT_EQ(rig.counters().udp_datagrams_out, 3u);
}

struct GroRow {
  const char* name;
  int version;
  std::size_t payload;
  std::uint16_t gso_size;
  std::uint64_t datagrams;
};

class GroBack : public testing::TestWithParam<GroRow> {};

TEST_P(GroBack, RunComesBackAsAUsoSuperPacket) {
  const GroRow r = GetParam();
  StackRig rig;
  const ClientFlow f = r.version == 4 ? ClientFlow{} : ClientFlow::v6();
  rig.client_sends_udp(f, pattern(10));
  const auto token = rig.sockets().last_datagram;
  const Bytes reply = pattern(r.payload, 4);
  rig.sockets().datagrams.at(token)->server_replies(reply, r.gso_size);
  rig.socket_event(token, {true, false, false});
  const auto out = rig.take_udp();
  ASSERT_EQ(out.size(), 1u);
  const std::size_t l3 = r.version == 4 ? 20 : 40;
  EXPECT_EQ(out[0].header.flags, vnet::kFlagNeedsCsum);
  EXPECT_EQ(out[0].header.gso_type, vnet::kGsoUdpL4);
  EXPECT_EQ(out[0].header.gso_size, r.gso_size);
  EXPECT_EQ(out[0].header.hdr_len, l3 + 8);
  EXPECT_EQ(out[0].header.csum_start, l3);
  EXPECT_EQ(out[0].header.csum_offset, 6);
  EXPECT_EQ(vnet::validate(out[0].header, out[0].bytes.size()), std::nullopt);
  EXPECT_EQ(out[0].bytes.size(), l3 + 8 + r.payload);
  EXPECT_EQ(out[0].udp_length, 8 + r.payload) << "a USO super-packet's UDP length covers it whole";
  EXPECT_EQ(out[0].payload, reply);
  const auto ip = packet::parse_ip(out[0].bytes);  // strict: the IP length matches the packet
  ASSERT_TRUE(ip.ok);
  EXPECT_EQ(out[0].checksum,
            packet::fold(packet::pseudo_header_sum(ip.layers, static_cast<std::uint32_t>(8 + r.payload))))
      << "the partial checksum (pseudo-header) for the kernel to finish per segment";
  EXPECT_EQ(rig.counters().udp_datagrams_out, r.datagrams);
}

INSTANTIATE_TEST_SUITE_P(UdpRelay, GroBack,
                         testing::Values(GroRow{"Ipv4", 4, 4000, 1000, 4}, GroRow{"Ipv4ShortLast", 4, 3500, 1000, 4},
                                         GroRow{"Ipv6", 6, 6000, 1200, 5}),
                         [](const testing::TestParamInfo<GroRow>& i) { return std::string(i.param.name); });

TEST(UdpRelay, IcmpErrorDoesNotStrandTheRepliesQueuedBehindIt) {
  StackRig rig;
  ClientFlow f;
  rig.client_sends_udp(f, pattern(10));
  const auto token = rig.sockets().last_datagram;
  auto* s = rig.sockets().datagrams.at(token);
  s->server_replies(pattern(100, 1));
  s->server_replies(pattern(200, 2));
  s->receive_error = ECONNREFUSED;  // reported once, ahead of the queue
  rig.socket_event(token, {true, false, true});
  const auto out = rig.take_udp();
  ASSERT_EQ(out.size(), 2u) << "the socket is edge-triggered: no second event for them";
  EXPECT_EQ(out[0].payload, pattern(100, 1));
  EXPECT_EQ(out[1].payload, pattern(200, 2));
  EXPECT_EQ(rig.udp().flows(), 1u);
}

TEST(UdpRelay, GroRunOfOneDatagramIsAPlainDatagram) {
  StackRig rig;
  ClientFlow f;
  rig.client_sends_udp(f, pattern(10));
  const auto token = rig.sockets().last_datagram;
  rig.sockets().datagrams.at(token)->server_replies(pattern(800), 1000);
  rig.socket_event(token, {true, false, false});
  const auto out = rig.take_udp();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].header, vnet::VnetHeader{});
  EXPECT_TRUE(l4_checksum_ok(out[0].bytes));
  EXPECT_EQ(rig.counters().udp_datagrams_out, 1u);
}

TEST(UdpRelay, RefusedTunWriteIsCountedPerDatagram) {
  StackRig rig;
  ClientFlow f;
  rig.client_sends_udp(f, pattern(10));
  const auto token = rig.sockets().last_datagram;
  rig.sockets().datagrams.at(token)->server_replies(pattern(4000), 1000);
  rig.sink().refuse = true;
  rig.socket_event(token, {true, false, false});
  EXPECT_EQ(rig.counters().dropped(Drop::kTunWrite), 4u);
  EXPECT_EQ(rig.counters().udp_datagrams_out, 0u);
  EXPECT_EQ(rig.counters().packets_out, 0u);
}

TEST(UdpRelay, LargestIpv6ReplyFitsTheSinkBuffer) {
  // The sink holds one packet of up to 65535 bytes: 65487 of payload behind 48 of headers.
  StackRig rig;
  const auto f = ClientFlow::v6();
  rig.client_sends_udp(f, pattern(10));
  const auto token = rig.sockets().last_datagram;
  rig.sockets().datagrams.at(token)->server_replies(pattern(65487));
  rig.socket_event(token, {true, false, false});
  const auto out = rig.take_udp();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].bytes.size(), 65535u);
  EXPECT_EQ(out[0].udp_length, 8 + 65487);
  EXPECT_EQ(rig.counters().dropped(), 0u);
}

// A reply one packet cannot carry is counted, never cut short, and the next one still comes.
TEST(UdpRelay, Ipv6ReplyTooBigForOnePacketIsCountedNotTruncated) {
  StackRig rig;
  const auto f = ClientFlow::v6();
  rig.client_sends_udp(f, pattern(10));
  const auto token = rig.sockets().last_datagram;
  rig.sockets().datagrams.at(token)->server_replies(pattern(65527));
  rig.sockets().datagrams.at(token)->server_replies(pattern(100));
  rig.socket_event(token, {true, false, false});
  const auto out = rig.take_udp();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].udp_length, 8 + 100);
  EXPECT_EQ(rig.counters().dropped(Drop::kUdpTooBig), 1u);
  EXPECT_EQ(rig.counters().dropped(), 1u);
}

TEST(UdpRelay, IdleFlowIsRemovedAfterIdleMsAndANewDatagramOpensANewFlow) {
  stack::UdpConfig cfg;
  cfg.idle_ms = 5000;
  StackRig rig({}, cfg);
  ClientFlow f;
  const std::uint64_t t0 = rig.now;
  rig.client_sends_udp(f, pattern(10));
  const auto first = rig.sockets().last_datagram;
  EXPECT_EQ(rig.udp().next_deadline(), t0 + 5000);
  rig.advance(3000);
  rig.client_sends_udp(f, pattern(10));  // activity moves the deadline
  EXPECT_EQ(rig.udp().next_deadline(), t0 + 8000);
  rig.advance(4999);
  EXPECT_EQ(rig.udp().flows(), 1u);
  rig.advance(1);
  EXPECT_EQ(rig.udp().flows(), 0u);
  EXPECT_EQ(rig.udp().next_deadline(), 0u);
  rig.client_sends_udp(f, pattern(10));
  EXPECT_EQ(rig.udp().flows(), 1u);
  EXPECT_EQ(rig.counters().udp_flows, 2u);
  EXPECT_NE(rig.sockets().last_datagram, first);
  EXPECT_EQ(rig.sockets().datagrams.size(), 2u);
  // An event for the old flow's token finds nothing (the slot was reused under a new generation).
  rig.socket_event(first, {true, false, false});
  EXPECT_TRUE(rig.take_udp().empty());
}

TEST(UdpRelay, ReplyKeepsTheFlowAlive) {
  stack::UdpConfig cfg;
  cfg.idle_ms = 5000;
  StackRig rig({}, cfg);
  ClientFlow f;
  rig.client_sends_udp(f, pattern(10));
  const auto token = rig.sockets().last_datagram;
  rig.advance(4000);
  rig.sockets().datagrams.at(token)->server_replies(pattern(10));
  rig.socket_event(token, {true, false, false});
  rig.advance(4999);
  EXPECT_EQ(rig.udp().flows(), 1u);
  rig.advance(1);
  EXPECT_EQ(rig.udp().flows(), 0u);
}

TEST(UdpRelay, FullFlowTableDropsWithTooManyFlows) {
  stack::UdpConfig cfg;
  cfg.max_flows = 2;
  cfg.idle_ms = 1000;
  StackRig rig({}, cfg);
  ClientFlow f;
  for (const std::uint16_t port : {std::uint16_t{1}, std::uint16_t{2}}) {
    f.client_port = port;
    EXPECT_EQ(rig.client_sends_udp(f, pattern(10)), std::nullopt);
  }
  f.client_port = 3;
  rig.client_sends_udp(f, pattern(10));
  EXPECT_EQ(rig.counters().dropped(Drop::kTooManyFlows), 1u);
  f.client_port = 4;
  rig.client_sends_udp(f, pattern(3000), 1000);  // three datagrams
  EXPECT_EQ(rig.counters().dropped(Drop::kTooManyFlows), 4u);
  EXPECT_EQ(rig.udp().flows(), 2u);
  EXPECT_EQ(rig.sockets().datagrams.size(), 2u);
  EXPECT_EQ(rig.counters().udp_datagrams_in, 2u);
  // Room again once the first two went idle.
  rig.advance(1000);
  f.client_port = 3;
  rig.client_sends_udp(f, pattern(10));
  EXPECT_EQ(rig.udp().flows(), 1u);
  EXPECT_EQ(rig.counters().dropped(Drop::kTooManyFlows), 4u);
}

struct SendFailRow {
  const char* name;
  int connect_error;  // the factory fails with it
  int send_error;     // or the socket's send
  Drop drop;
};

class UdpSendFailure : public testing::TestWithParam<SendFailRow> {};

TEST_P(UdpSendFailure, IsCountedByItsReason) {
  const SendFailRow r = GetParam();
  StackRig rig;
  ClientFlow f;
  if (r.connect_error) {
    rig.sockets().fail_with = r.connect_error;
  } else {
    rig.client_sends_udp(f, pattern(10));
    rig.sockets().datagrams.at(rig.sockets().last_datagram)->send_error = r.send_error;
  }
  rig.client_sends_udp(f, pattern(3000), 1000);
  EXPECT_EQ(rig.counters().dropped(r.drop), 3u) << "per datagram";
  EXPECT_EQ(rig.counters().dropped(), 3u);
  EXPECT_EQ(rig.counters().udp_datagrams_in, r.connect_error ? 0u : 1u);
  EXPECT_EQ(rig.udp().flows(), r.connect_error ? 0u : 1u);
}

INSTANTIATE_TEST_SUITE_P(UdpRelay, UdpSendFailure,
                         testing::Values(SendFailRow{"BufferFullEagain", 0, EAGAIN, Drop::kUdpBufferFull},
                                         SendFailRow{"BufferFullEnobufs", 0, ENOBUFS, Drop::kUdpBufferFull},
                                         SendFailRow{"Refused", 0, ECONNREFUSED, Drop::kUdpSend},
                                         SendFailRow{"NotPermitted", 0, EPERM, Drop::kUdpSend},
                                         SendFailRow{"ConnectFails", EMFILE, 0, Drop::kUdpSend}),
                         [](const testing::TestParamInfo<SendFailRow>& i) { return std::string(i.param.name); });

}  // namespace

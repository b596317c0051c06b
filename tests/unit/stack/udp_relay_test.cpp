// The UDP relay: one connected socket per flow, USO super-packets out as one send, datagrams of
// one batch coalesced into trains (one UDP_SEGMENT send), replies (and GRO runs, as USO
// super-packets) back to the client, idle flows closed, a bounded flow table.
#include <cerrno>
#include <optional>
#include <string>

#include <fmt/format.h>
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

// --- trains: the datagrams of one batch, coalesced -------------------------------------------

// One datagram of a batch: on flow f (or g, another client port), `size` bytes.
struct TrainIn {
  bool other_flow = false;
  std::size_t size = 0;
};
// One send() the batch caused, on f's socket or g's, in the order they happened.
struct TrainOut {
  bool other_flow = false;
  std::size_t bytes = 0;
  std::uint16_t gso_size = 0;
};

struct TrainRow {
  const char* name;  // the rule
  std::vector<TrainIn> in;
  std::vector<TrainOut> out;
};

std::vector<TrainIn> same(std::size_t count, std::size_t size) { return std::vector<TrainIn>(count, {false, size}); }

class Trains : public testing::TestWithParam<TrainRow> {};

TEST_P(Trains, LeaveAsTheRuleSays) {
  const TrainRow& r = GetParam();
  StackRig rig;
  ClientFlow f;
  ClientFlow g = f;
  g.client_port = 40001;
  // Both flows open first (one batch each), so their sockets exist; those sends are not counted.
  rig.client_sends_udp(f, pattern(1));
  rig.client_sends_udp(g, pattern(1));
  auto& sockets = rig.sockets().datagrams;
  ASSERT_EQ(sockets.size(), 2u);
  std::vector<std::pair<bool, const tbtest::FakeDatagramSocket*>> both;
  for (const auto& [token, socket] : sockets)
    both.emplace_back(rig.sockets().flows.at(token) != f.key(packet::kProtoUdp), socket);
  std::vector<Bytes> payloads;
  rig.batch([&] {
    for (std::size_t i = 0; i < r.in.size(); ++i) {
      payloads.push_back(pattern(r.in[i].size, static_cast<std::uint8_t>(i)));
      rig.client_sends_udp(r.in[i].other_flow ? g : f, payloads.back());
    }
  });
  // What each flow's socket got after its opening datagram, in order; f's and g's kept apart.
  std::vector<TrainOut> got_f, got_g;
  Bytes bytes_f, bytes_g;
  for (const auto& [other, socket] : both)
    for (std::size_t i = 1; i < socket->sent.size(); ++i) {
      (other ? got_g : got_f).push_back({other, socket->sent[i].payload.size(), socket->sent[i].gso_size});
      auto& b = other ? bytes_g : bytes_f;
      b.insert(b.end(), socket->sent[i].payload.begin(), socket->sent[i].payload.end());
    }
  std::vector<TrainOut> want_f, want_g;
  for (const auto& o : r.out) (o.other_flow ? want_g : want_f).push_back(o);
  auto same_out = [](const std::vector<TrainOut>& a, const std::vector<TrainOut>& b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](const TrainOut& x, const TrainOut& y) {
             return x.bytes == y.bytes && x.gso_size == y.gso_size;
           });
  };
  auto show = [](const std::vector<TrainOut>& v) {
    std::string s;
    for (const auto& o : v) s += fmt::format("[{} gso {}] ", o.bytes, o.gso_size);
    return s;
  };
  EXPECT_TRUE(same_out(got_f, want_f)) << "f: " << show(got_f) << "expected " << show(want_f);
  EXPECT_TRUE(same_out(got_g, want_g)) << "g: " << show(got_g) << "expected " << show(want_g);
  // Every byte arrives, in the order sent on its flow.
  Bytes want_bytes_f, want_bytes_g;
  for (std::size_t i = 0; i < r.in.size(); ++i)
    (r.in[i].other_flow ? want_bytes_g : want_bytes_f)
        .insert((r.in[i].other_flow ? want_bytes_g : want_bytes_f).end(), payloads[i].begin(), payloads[i].end());
  EXPECT_EQ(bytes_f, want_bytes_f);
  EXPECT_EQ(bytes_g, want_bytes_g);
  EXPECT_EQ(rig.counters().udp_datagrams_in, 2 + r.in.size()) << "every datagram counted once";
  EXPECT_EQ(rig.counters().dropped(), 0u);
}

std::vector<TrainIn> cat(std::initializer_list<std::vector<TrainIn>> parts) {
  std::vector<TrainIn> v;
  for (const auto& p : parts) v.insert(v.end(), p.begin(), p.end());
  return v;
}

INSTANTIATE_TEST_SUITE_P(
    UdpRelay, Trains,
    testing::Values(TrainRow{"EqualDatagramsLeaveAsOneSendOfTheirSize", same(3, 1000), {{false, 3000, 1000}}},
                    TrainRow{"OneDatagramIsAPlainSend", same(1, 1000), {{false, 1000, 0}}},
                    TrainRow{"AShorterDatagramEndsTheTrainItJoins",
                             cat({same(2, 1000), same(1, 400), same(1, 1000)}),
                             {{false, 2400, 1000}, {false, 1000, 0}}},
                    TrainRow{"ALongerDatagramStartsANewTrain",
                             cat({same(1, 500), same(2, 1000)}),
                             {{false, 500, 0}, {false, 2000, 1000}}},
                    TrainRow{"AnotherFlowInBetweenSendsTheTrainFirst",
                             {{false, 1000}, {true, 1000}, {false, 1000}, {false, 1000}},
                             {{false, 1000, 0}, {true, 1000, 0}, {false, 2000, 1000}}},
                    TrainRow{"AtMost64DatagramsASend", same(65, 100), {{false, 6400, 100}, {false, 100, 0}}},
                    TrainRow{"AtMost65507BytesASend", same(50, 1400), {{false, 64400, 1400}, {false, 5600, 1400}}},
                    TrainRow{"AnEmptyDatagramGoesAloneAfterTheTrain",
                             cat({same(2, 100), same(1, 0)}),
                             {{false, 200, 100}, {false, 0, 0}}}),
    [](const testing::TestParamInfo<TrainRow>& i) { return std::string(i.param.name); });

TEST(UdpRelay, UsoSuperPacketAfterHeldDatagramsLeavesAfterThem) {
  StackRig rig;
  ClientFlow f;
  rig.batch([&] {
    rig.client_sends_udp(f, pattern(2, 1));
    rig.client_sends_udp(f, pattern(2, 2));
    rig.client_sends_udp(f, pattern(3000, 3), 1000);
  });
  const auto* s = rig.sockets().datagrams.at(rig.sockets().last_datagram);
  ASSERT_EQ(s->sent.size(), 2u);
  EXPECT_EQ(s->sent[0].payload.size(), 4u);
  EXPECT_EQ(s->sent[0].gso_size, 2);
  EXPECT_EQ(s->sent[1].payload, pattern(3000, 3));
  EXPECT_EQ(rig.counters().udp_datagrams_in, 5u);
}

// The kernel refuses UDP_SEGMENT (EINVAL) for segments larger than the path carries unfragmented:
// the train's datagrams go one by one, and so does the flow from then on.
TEST(UdpRelay, RefusedTrainGoesDatagramByDatagramAndTheFlowStopsCoalescing) {
  StackRig rig;
  ClientFlow f;
  rig.client_sends_udp(f, pattern(1));
  auto* s = rig.sockets().datagrams.at(rig.sockets().last_datagram);
  s->gso_send_error = EINVAL;
  rig.batch([&] {
    for (std::uint8_t i = 0; i < 3; ++i) rig.client_sends_udp(f, pattern(1000, i));
  });
  ASSERT_EQ(s->sent.size(), 4u);
  for (std::uint8_t i = 0; i < 3; ++i) {
    EXPECT_EQ(s->sent[1 + i].payload, pattern(1000, i));
    EXPECT_EQ(s->sent[1 + i].gso_size, 0);
  }
  s->gso_send_error = 0;  // even were the path to allow it now, the flow sends one by one
  rig.batch([&] {
    rig.client_sends_udp(f, pattern(1000, 7));
    rig.client_sends_udp(f, pattern(1000, 8));
  });
  ASSERT_EQ(s->sent.size(), 6u);
  EXPECT_EQ(s->sent[4].gso_size, 0);
  EXPECT_EQ(s->sent[5].gso_size, 0);
  EXPECT_EQ(rig.counters().udp_datagrams_in, 6u);
  EXPECT_EQ(rig.counters().dropped(), 0u);
}

TEST(UdpRelay, FailedTrainIsCountedPerDatagram) {
  StackRig rig;
  ClientFlow f;
  rig.client_sends_udp(f, pattern(1));
  rig.sockets().datagrams.at(rig.sockets().last_datagram)->send_error = ENOBUFS;
  rig.batch([&] {
    for (int i = 0; i < 5; ++i) rig.client_sends_udp(f, pattern(100));
  });
  EXPECT_EQ(rig.counters().dropped(Drop::kUdpBufferFull), 5u);
  EXPECT_EQ(rig.counters().udp_datagrams_in, 1u);
}

}  // namespace

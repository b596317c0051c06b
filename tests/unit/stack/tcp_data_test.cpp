// The TCP engine's data path: client → server bytes with the ACK and window bookkeeping, server →
// client super-packets within the client's window, retransmission (timer and fast), out-of-order
// segments held until their gap is filled (with SACK), duplicates, zero windows both ways.
#include <cerrno>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "support/packet_builder.h"
#include "support/stack_rig.h"

namespace {

using namespace tbtest;
using packet::TcpHeader;

// --- client → server -----------------------------------------------------------------------------

TEST(ClientData, BytesGoToTheSocketOnceInOrderAndEachAckCarriesTheWindow) {
  StackRig rig;
  ClientFlow f;
  const auto c = rig.open(f, kIsn, linux_syn_options(1460, 7, 1));
  const Bytes data = pattern(3000);
  for (std::uint32_t k = 0; k < 3; ++k) {
    SCOPED_TRACE(k);
    rig.client_sends(f, kIsn + 1 + k * 1000, c.iss + 1, kAck | kPsh, 502, slice(data, k * 1000, (k + 1) * 1000));
    const auto out = rig.take();
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].flags, kAck);
    EXPECT_EQ(out[0].seq, c.iss + 1);
    EXPECT_EQ(out[0].ack, kIsn + 1 + (k + 1) * 1000);
    EXPECT_EQ(out[0].window, (kCapacity - (k + 1) * 1000) >> 7) << "send_space scaled by our shift (7)";
    EXPECT_TRUE(out[0].payload.empty());
  }
  EXPECT_EQ(c.socket->received, data);
  EXPECT_EQ(rig.counters().bytes_to_sockets, 3000u);
  // The server read it all: the next ACK offers the whole buffer again.
  c.socket->server_reads(3000);
  rig.client_sends(f, kIsn + 3001, c.iss + 1, kAck, 502, {0x42});
  const auto out = rig.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].ack, kIsn + 3002);
  EXPECT_EQ(out[0].window, (kCapacity - 1) >> 7);
  EXPECT_EQ(rig.counters().dropped(), 0u);
}

// Each send_space() is a system call: asked again only when what is left of its last answer
// could hold the client back, or at once when the socket reports room (writable).
struct SpaceQueryRow {
  const char* name;
  std::size_t capacity;
  std::size_t queries_per_batch;  // after the first batch
};

class SendSpaceQueries : public testing::TestWithParam<SpaceQueryRow> {};

TEST_P(SendSpaceQueries, AreAskedAgainOnlyWhenTheRoomLeftRunsLow) {
  const SpaceQueryRow r = GetParam();
  StackRig rig;
  ClientFlow f;
  const auto c = rig.open(f, kIsn, linux_syn_options(1460, 7, 1));
  c.socket->capacity = r.capacity;
  const Bytes data = pattern(4000);
  rig.client_sends(f, kIsn + 1, c.iss + 1, kAck | kPsh, 502, slice(data, 0, 1000));
  const auto first = rig.take();
  ASSERT_EQ(first.size(), 1u);
  const std::size_t after_first = c.socket->space_queries;
  ASSERT_GT(after_first, 0u);
  const std::uint64_t first_edge = std::uint64_t{first[0].ack} + (std::uint64_t{first[0].window} << 7);
  for (std::uint32_t k = 1; k < 4; ++k) {
    SCOPED_TRACE(k);
    c.socket->server_reads(1000);  // the room grows back, but nothing tells the stack so
    rig.client_sends(f, kIsn + 1 + k * 1000, c.iss + 1, kAck | kPsh, 502, slice(data, k * 1000, (k + 1) * 1000));
    const auto out = rig.take();
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].ack, kIsn + 1 + (k + 1) * 1000);
    EXPECT_EQ(c.socket->space_queries, after_first + k * r.queries_per_batch);
    const std::uint64_t edge = std::uint64_t{out[0].ack} + (std::uint64_t{out[0].window} << 7);
    if (r.queries_per_batch == 0) {  // where it was, but for rounding the window down to our scale
      EXPECT_LE(edge, first_edge) << "a cached answer does not offer the room the server freed";
      EXPECT_LT(first_edge - edge, 128u) << "nor moves the right edge back by more than one unit";
    } else {
      EXPECT_GT(edge, first_edge) << "asked again: the room the server freed is offered";
    }
  }
  EXPECT_EQ(c.socket->received, data);
}

INSTANTIATE_TEST_SUITE_P(ClientData, SendSpaceQueries,
                         testing::Values(SpaceQueryRow{"LargeRoomIsNotAskedAgain", std::size_t{8} << 20, 0},
                                         SpaceQueryRow{"SmallRoomIsAskedEveryBatch", std::size_t{256} << 10, 1}),
                         [](const testing::TestParamInfo<SpaceQueryRow>& i) { return std::string(i.param.name); });

TEST(ClientData, AWritableSocketIsAskedForItsRoomAtOnce) {
  StackRig rig;
  ClientFlow f;
  const auto c = rig.open(f, kIsn, linux_syn_options(1460, 7, 1));
  c.socket->capacity = std::size_t{8} << 20;
  rig.client_sends(f, kIsn + 1, c.iss + 1, kAck | kPsh, 502, pattern(1000));
  const auto before = rig.take();
  ASSERT_EQ(before.size(), 1u);
  c.socket->server_reads(1000);
  const std::size_t queries = c.socket->space_queries;
  rig.socket_event(c.token, {false, true, false});
  rig.client_sends(f, kIsn + 1001, c.iss + 1, kAck, 502, {0x42});
  const auto out = rig.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(c.socket->space_queries, queries + 1);
  EXPECT_EQ(out[0].window, ((std::size_t{8} << 20) - 1) >> 7) << "the room after the server read it all";
}

struct WindowRow {
  const char* name;
  bool wscale;
  std::size_t capacity;
  std::size_t sent;
  std::uint16_t window;  // the field we expect in the ACK
};

class AdvertisedWindow : public testing::TestWithParam<WindowRow> {};

TEST_P(AdvertisedWindow, IsSendSpaceRoundedDownToOurScale) {
  const WindowRow r = GetParam();
  StackRig rig;
  ClientFlow f;
  const auto c = rig.open(
      f, kIsn, syn_options(1460, r.wscale ? std::optional<std::uint8_t>(2) : std::nullopt, false, std::nullopt));
  c.socket->capacity = r.capacity;
  rig.client_sends(f, kIsn + 1, c.iss + 1, kAck, 502, pattern(r.sent));
  const auto out = rig.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].ack, kIsn + 1 + r.sent);
  EXPECT_EQ(out[0].window, r.window);
  EXPECT_EQ(c.socket->received.size(), r.sent);
}

INSTANTIATE_TEST_SUITE_P(ClientData, AdvertisedWindow,
                         testing::Values(WindowRow{"Scaled", true, 200000, 1000, 1554},               // 199000 / 128
                                         WindowRow{"ScaledRoundsDown", true, 10000, 1000, 70},        // 9000 → 8960
                                         WindowRow{"ScaledBelowOneUnitIsZero", true, 2000, 1937, 0},  // 63 < 128
                                         WindowRow{"ScaledCappedAt16Bits", true, std::size_t{1} << 30, 1000, 65535},
                                         WindowRow{"Unscaled", false, 10000, 1000, 9000},
                                         WindowRow{"UnscaledCappedAt65535", false, kCapacity, 1000, 65535}),
                         [](const testing::TestParamInfo<WindowRow>& i) { return std::string(i.param.name); });

TEST(ClientData, FullSocketAcknowledgesOnlyTheAcceptedPartThenUpdatesTheWindowByTimer) {
  StackRig rig;
  ClientFlow f;
  const auto c = rig.open(f, kIsn, linux_syn_options(1460, 7, 1));
  c.socket->capacity = 4000;
  const Bytes data = pattern(6000);
  rig.client_sends(f, kIsn + 1, c.iss + 1, kAck, 502, data);
  EXPECT_EQ(c.socket->received, slice(data, 0, 4000));
  auto out = rig.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].ack, kIsn + 4001) << "only what the socket accepted";
  EXPECT_EQ(out[0].window, 0);
  EXPECT_EQ(rig.counters().dropped(stack::Drop::kSocketFull), 1u);
  EXPECT_EQ(rig.counters().bytes_to_sockets, 4000u);
  EXPECT_NE(rig.tcp().next_deadline(), 0u) << "the closed window is watched";

  rig.advance(1);
  EXPECT_TRUE(rig.take().empty()) << "still no room: nothing to say";
  // The server reads; no socket event comes (EPOLLOUT only follows a send that found no room)
  // and the client says nothing more: the window-check timer notices and sends the update.
  c.socket->server_reads(4000);
  rig.advance(50);
  out = rig.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].flags, kAck);
  EXPECT_EQ(out[0].seq, c.iss + 1);
  EXPECT_EQ(out[0].ack, kIsn + 4001);
  EXPECT_EQ(out[0].window, 4000 >> 7);
  rig.advance(200);
  EXPECT_TRUE(rig.take().empty()) << "one update, not one per poll";

  // The client sends the rest again: taken now.
  rig.client_sends(f, kIsn + 4001, c.iss + 1, kAck, 502, slice(data, 4000, 6000));
  EXPECT_EQ(c.socket->received, data);
  out = rig.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].ack, kIsn + 6001);
  EXPECT_EQ(out[0].window, 2000 >> 7);
  EXPECT_EQ(rig.counters().dropped(stack::Drop::kSocketFull), 1u);
}

TEST(ClientData, SegmentIntoAClosedWindowIsRefusedAndAnswered) {
  StackRig rig;
  ClientFlow f;
  const auto c = rig.open(f, kIsn, linux_syn_options(1460, 7, 1));
  c.socket->capacity = 4000;
  const Bytes data = pattern(6000);
  rig.client_sends(f, kIsn + 1, c.iss + 1, kAck, 502, slice(data, 0, 4000));
  ASSERT_EQ(rig.take().size(), 1u);
  rig.client_sends(f, kIsn + 4001, c.iss + 1, kAck, 502, slice(data, 4000, 6000));
  const auto out = rig.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].ack, kIsn + 4001);
  EXPECT_EQ(out[0].window, 0);
  EXPECT_EQ(rig.counters().dropped(stack::Drop::kSocketFull), 1u);
  EXPECT_EQ(c.socket->received, slice(data, 0, 4000));
}

TEST(ClientData, WritableEventAfterAFullSocketSendsAWindowUpdate) {
  StackRig rig;
  ClientFlow f;
  const auto c = rig.open(f, kIsn, linux_syn_options(1460, 7, 1));
  c.socket->capacity = 4000;
  rig.client_sends(f, kIsn + 1, c.iss + 1, kAck, 502, pattern(6000));
  ASSERT_EQ(rig.take().size(), 1u);
  c.socket->server_reads(4000);
  rig.socket_event(c.token, {false, true, false});
  const auto out = rig.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].flags, kAck);
  EXPECT_EQ(out[0].ack, kIsn + 4001);
  EXPECT_EQ(out[0].window, 4000 >> 7);
}

// --- server → client -----------------------------------------------------------------------------

struct SuperRow {
  const char* name;
  int version;
  bool ts;
  std::uint16_t gso_size;
  std::uint8_t gso_type;
  std::uint16_t hdr_len;
};

class SuperPacket : public testing::TestWithParam<SuperRow> {};

TEST_P(SuperPacket, GsoSizeIsTheClientMssLessTimestamps) {
  const SuperRow r = GetParam();
  StackRig rig;
  const ClientFlow f = r.version == 4 ? ClientFlow{} : ClientFlow::v6();
  const std::uint16_t mss = r.version == 4 ? 1460 : 1440;
  const auto c = rig.open(f, kIsn, syn_options(mss, 7, true, r.ts ? std::optional<std::uint32_t>(1) : std::nullopt));
  const Bytes data = pattern(10000);
  c.socket->server_sends(data);
  rig.socket_event(c.token, {true, false, false});
  const auto out = rig.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].payload, data);
  EXPECT_EQ(out[0].seq, c.iss + 1);
  EXPECT_EQ(out[0].ack, kIsn + 1);
  EXPECT_EQ(out[0].flags, kAck | kPsh) << "PSH: it empties what the server sent";
  EXPECT_EQ(out[0].header.flags, vnet::kFlagNeedsCsum);
  EXPECT_EQ(out[0].header.gso_type, r.gso_type);
  EXPECT_EQ(out[0].header.gso_size, r.gso_size);
  EXPECT_EQ(out[0].header.hdr_len, r.hdr_len);
  EXPECT_EQ(out[0].header.csum_start, r.version == 4 ? 20 : 40);
  EXPECT_EQ(out[0].header.csum_offset, 16);
  EXPECT_EQ(out[0].bytes.size(), r.hdr_len + data.size());
  EXPECT_EQ(vnet::validate(out[0].header, out[0].bytes.size()), std::nullopt);
  EXPECT_EQ(rig.counters().bytes_to_client, 10000u);
  EXPECT_EQ(c.socket->unacknowledged(), 10000u) << "kept in the socket until acknowledged";
}

INSTANTIATE_TEST_SUITE_P(ServerData, SuperPacket,
                         testing::Values(SuperRow{"Ipv4Timestamps", 4, true, 1448, vnet::kGsoTcpV4, 52},
                                         SuperRow{"Ipv4NoTimestamps", 4, false, 1460, vnet::kGsoTcpV4, 40},
                                         SuperRow{"Ipv6Timestamps", 6, true, 1428, vnet::kGsoTcpV6, 72},
                                         SuperRow{"Ipv6NoTimestamps", 6, false, 1440, vnet::kGsoTcpV6, 60}),
                         [](const testing::TestParamInfo<SuperRow>& i) { return std::string(i.param.name); });

TEST(ServerData, PayloadThatFitsOneSegmentHasNoGsoHeader) {
  struct Row {
    std::size_t bytes;
    std::uint8_t gso_type;
    std::uint16_t gso_size;
  };
  for (const Row r : {Row{1, vnet::kGsoNone, 0}, Row{1448, vnet::kGsoNone, 0}, Row{1449, vnet::kGsoTcpV4, 1448}}) {
    SCOPED_TRACE(r.bytes);
    StackRig rig;
    ClientFlow f;
    const auto c = rig.open(f, kIsn, linux_syn_options(1460, 7, 1));
    c.socket->server_sends(pattern(r.bytes));
    rig.socket_event(c.token, {true, false, false});
    const auto out = rig.take();
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].payload.size(), r.bytes);
    EXPECT_EQ(out[0].header.gso_type, r.gso_type);
    EXPECT_EQ(out[0].header.gso_size, r.gso_size);
    EXPECT_EQ(out[0].header.hdr_len, r.gso_type == vnet::kGsoNone ? 0 : 52);
    EXPECT_EQ(out[0].header.flags, vnet::kFlagNeedsCsum) << "the checksum is left to the kernel either way";
  }
}

TEST(ServerData, BacklogLeavesAsSuperPacketsOfWholeSegmentsWithin64k) {
  StackRig rig;
  ClientFlow f;
  const auto c = rig.open(f, kIsn, linux_syn_options(1460, 7, 1));  // client window 65535 << 7
  const Bytes data = pattern(200000);
  c.socket->server_sends(data);
  rig.socket_event(c.token, {true, false, false});
  const auto out = rig.take();
  // 45 segments of 1448 = 65160 bytes: the most that fits 65535 bytes of IP with 52 of headers.
  ASSERT_EQ(out.size(), 4u);
  std::size_t at = 0;
  for (std::size_t i = 0; i < out.size(); ++i) {
    SCOPED_TRACE(i);
    const std::size_t len = i < 3 ? 65160 : 200000 - 3 * 65160;
    EXPECT_EQ(out[i].seq, c.iss + 1 + static_cast<std::uint32_t>(at));
    EXPECT_EQ(out[i].payload, slice(data, at, at + len));
    EXPECT_EQ(out[i].flags, i < 3 ? kAck : kAck | kPsh);
    EXPECT_EQ(out[i].header.gso_size, 1448);
    EXPECT_LE(out[i].bytes.size(), 65535u);
    at += len;
  }
}

TEST(ServerData, NeverMoreThanTheClientWindowInFlightAndConsumedOnlyWhenAcknowledged) {
  StackRig rig;
  ClientFlow f;
  const auto c = rig.open(f, kIsn, plain_options(), 5000);  // no scaling: the window is 5000 bytes
  const Bytes data = pattern(12000);
  c.socket->server_sends(data);
  rig.socket_event(c.token, {true, false, false});
  auto out = rig.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].seq, c.iss + 1);
  EXPECT_EQ(out[0].payload, slice(data, 0, 5000));
  EXPECT_EQ(out[0].header.gso_size, 1460);
  EXPECT_EQ(c.socket->unacknowledged(), 12000u);
  EXPECT_EQ(c.socket->peek_offset(), 5000u);

  rig.client_sends(f, kIsn + 1, c.iss + 1 + 3000, kAck, 5000);
  out = rig.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].seq, c.iss + 1 + 5000);
  EXPECT_EQ(out[0].payload, slice(data, 5000, 8000)) << "2000 still in flight: 3000 more fit";
  EXPECT_EQ(c.socket->unacknowledged(), 9000u);

  rig.client_sends(f, kIsn + 1, c.iss + 1 + 8000, kAck, 5000);
  out = rig.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].seq, c.iss + 1 + 8000);
  EXPECT_EQ(out[0].payload, slice(data, 8000, 12000));
  EXPECT_EQ(out[0].flags, kAck | kPsh);
  EXPECT_EQ(c.socket->unacknowledged(), 4000u);

  rig.client_sends(f, kIsn + 1, c.iss + 1 + 12000, kAck, 5000);
  EXPECT_TRUE(rig.take().empty());
  EXPECT_EQ(c.socket->unacknowledged(), 0u);
  EXPECT_EQ(rig.counters().bytes_to_client, 12000u);
  EXPECT_EQ(rig.tcp().next_deadline(), 0u) << "nothing in flight, no timer";
}

TEST(ServerData, ClientMssLargerThanOnePacketIsClampedToOnePacket) {
  StackRig rig;
  ClientFlow f;
  const auto c = rig.open(f, kIsn, syn_options(65535, 7, false, std::nullopt));
  const Bytes data = pattern(100000);
  c.socket->server_sends(data);
  rig.socket_event(c.token, {true, false, false});
  const auto out = rig.take();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].payload, slice(data, 0, 65495)) << "65535 bytes of IP less 40 of headers";
  EXPECT_EQ(out[0].header.gso_type, vnet::kGsoNone);
  EXPECT_EQ(out[1].seq, c.iss + 1 + 65495);
  EXPECT_EQ(out[1].payload, slice(data, 65495, 100000));
  EXPECT_FALSE(out[1].has(TcpHeader::kFin)) << "the server did not close";
}

TEST(ServerData, Ipv6SuperPacketFitsTheSinkBuffer) {
  StackRig rig;
  const auto f = ClientFlow::v6();
  const auto c = rig.open(f, kIsn, syn_options(100, 7, false, std::nullopt));
  const Bytes data = pattern(100000);
  c.socket->server_sends(data);
  rig.socket_event(c.token, {true, false, false});
  const auto out = rig.take();
  ASSERT_GE(out.size(), 1u);
  // The sink holds one packet of up to 65535 bytes, IPv6 header included: 654 segments of 100.
  EXPECT_EQ(out[0].payload, slice(data, 0, 65400));
  EXPECT_EQ(out[0].bytes.size(), 65460u);
  EXPECT_EQ(out[0].header.gso_size, 100);
  EXPECT_EQ(rig.counters().dropped(stack::Drop::kTunWrite), 0u);
}

TEST(ServerData, RefusedTunWriteIsCountedAndRecoveredByTheTimer) {
  StackRig rig;
  ClientFlow f;
  const auto c = rig.open(f, kIsn, plain_options());
  const Bytes data = pattern(1000);
  c.socket->server_sends(data);
  rig.sink().refuse = true;
  rig.socket_event(c.token, {true, false, false});
  EXPECT_EQ(rig.counters().dropped(stack::Drop::kTunWrite), 1u);
  rig.sink().refuse = false;
  rig.advance(1000);
  const auto out = rig.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].seq, c.iss + 1);
  EXPECT_EQ(out[0].payload, data);
}

// --- loss recovery -------------------------------------------------------------------------------

TEST(Retransmit, TimerResendsFromTheFirstUnacknowledgedByte) {
  StackRig rig;  // initial_rto_ms 1000; no timestamps: no RTT sample changes it
  ClientFlow f;
  const auto c = rig.open(f, kIsn, plain_options());
  const Bytes data = pattern(3000);
  c.socket->server_sends(data);
  rig.socket_event(c.token, {true, false, false});
  ASSERT_EQ(rig.take().size(), 1u);
  rig.client_sends(f, kIsn + 1, c.iss + 1001, kAck, 65535);  // the first 1000 arrived
  EXPECT_TRUE(rig.take().empty());
  rig.advance(999);
  EXPECT_TRUE(rig.take().empty());
  rig.advance(1);
  const auto out = rig.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].seq, c.iss + 1001);
  EXPECT_EQ(out[0].payload, slice(data, 1000, 3000));
  EXPECT_EQ(rig.counters().retransmits_timeout, 1u);
  EXPECT_EQ(rig.counters().retransmits_fast, 0u);
  EXPECT_EQ(rig.counters().bytes_to_client, 5000u);
  EXPECT_EQ(c.socket->seeks, 1u);
  EXPECT_EQ(c.socket->unacknowledged(), 2000u);
}

TEST(Retransmit, RtoBacksOffThenTheConnectionIsResetAfterMaxRetries) {
  stack::TcpOptionsConfig cfg;
  cfg.max_retries = 3;
  StackRig rig(cfg);
  ClientFlow f;
  const auto c = rig.open(f, kIsn, plain_options());
  const Bytes data = pattern(1000);
  c.socket->server_sends(data);
  rig.socket_event(c.token, {true, false, false});
  ASSERT_EQ(rig.take().size(), 1u);
  for (const std::uint64_t wait : {1000u, 2000u, 4000u}) {
    SCOPED_TRACE(wait);
    rig.advance(wait - 1);
    EXPECT_TRUE(rig.take().empty());
    rig.advance(1);
    const auto out = rig.take();
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].seq, c.iss + 1);
    EXPECT_EQ(out[0].payload, data);
  }
  EXPECT_EQ(rig.counters().retransmits_timeout, 3u);
  rig.advance(7999);
  EXPECT_TRUE(rig.take().empty());
  rig.advance(1);  // the fourth timeout in a row
  const auto out = rig.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].flags, kRst | kAck);
  EXPECT_EQ(out[0].seq, c.iss + 1001);
  EXPECT_EQ(out[0].ack, kIsn + 1);
  EXPECT_EQ(rig.tcp().connections(), 0u);
  EXPECT_TRUE(rig.sockets().records.at(c.token).aborted);
  EXPECT_EQ(rig.counters().tcp_expired, 1u);
  EXPECT_EQ(rig.counters().tcp_reset, 1u);
  EXPECT_EQ(rig.counters().retransmits_timeout, 3u);
}

TEST(Retransmit, RtoIsClampedToMaxRto) {
  stack::TcpOptionsConfig cfg;
  cfg.max_rto_ms = 1500;
  StackRig rig(cfg);
  ClientFlow f;
  const auto c = rig.open(f, kIsn, plain_options());
  c.socket->server_sends(pattern(100));
  rig.socket_event(c.token, {true, false, false});
  ASSERT_EQ(rig.take().size(), 1u);
  for (const std::uint64_t wait : {1000u, 1500u, 1500u}) {
    SCOPED_TRACE(wait);
    rig.advance(wait - 1);
    EXPECT_TRUE(rig.take().empty());
    rig.advance(1);
    EXPECT_EQ(rig.take().size(), 1u);
  }
}

TEST(Retransmit, RtoFollowsTheTimestampRtt) {
  StackRig rig;
  ClientFlow f;
  const auto c = rig.open(f, kIsn, linux_syn_options(1460, 7, 1));
  c.socket->server_sends(pattern(1000));
  const std::uint64_t sent_at = rig.now;
  rig.socket_event(c.token, {true, false, false});
  ASSERT_EQ(rig.take().size(), 1u);
  rig.advance(400);
  // Echoes the ts_val of our segment: RTT 400 → SRTT 400, RTTVAR 200, RTO 400 + 4 * 200.
  rig.client_sends(f, kIsn + 1, c.iss + 1001, kAck, 502, {}, ts_option(9, static_cast<std::uint32_t>(sent_at)));
  c.socket->server_sends(pattern(1000, 2));
  rig.socket_event(c.token, {true, false, false});
  ASSERT_EQ(rig.take().size(), 1u);
  rig.advance(1199);
  EXPECT_TRUE(rig.take().empty());
  rig.advance(1);
  const auto out = rig.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].seq, c.iss + 1001);
  EXPECT_EQ(rig.counters().retransmits_timeout, 1u);
}

TEST(Retransmit, ThirdDuplicateAckResendsFromSndUna) {
  StackRig rig;
  ClientFlow f;
  const auto c = rig.open(f, kIsn, plain_options());
  const Bytes data = pattern(5000);
  c.socket->server_sends(data);
  rig.socket_event(c.token, {true, false, false});
  ASSERT_EQ(rig.take().size(), 1u);
  rig.client_sends(f, kIsn + 1, c.iss + 1001, kAck, 65535);  // new data acknowledged
  EXPECT_TRUE(rig.take().empty());
  for (int dup = 1; dup <= 2; ++dup) {
    rig.client_sends(f, kIsn + 1, c.iss + 1001, kAck, 65535);
    EXPECT_TRUE(rig.take().empty()) << "duplicate " << dup;
  }
  rig.client_sends(f, kIsn + 1, c.iss + 1001, kAck, 65535);
  auto out = rig.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].seq, c.iss + 1001);
  EXPECT_EQ(out[0].payload, slice(data, 1000, 5000));
  EXPECT_EQ(rig.counters().retransmits_fast, 1u);
  EXPECT_EQ(rig.counters().retransmits_timeout, 0u);
  rig.client_sends(f, kIsn + 1, c.iss + 1001, kAck, 65535);  // a fourth: no second go-back
  EXPECT_TRUE(rig.take().empty());
  EXPECT_EQ(rig.counters().retransmits_fast, 1u);
}

TEST(Retransmit, AckThatChangesTheWindowIsNotADuplicate) {
  StackRig rig;
  ClientFlow f;
  const auto c = rig.open(f, kIsn, plain_options());
  c.socket->server_sends(pattern(5000));
  rig.socket_event(c.token, {true, false, false});
  ASSERT_EQ(rig.take().size(), 1u);
  for (const std::uint16_t window :
       {std::uint16_t{60000}, std::uint16_t{50000}, std::uint16_t{40000}, std::uint16_t{30000}})
    rig.client_sends(f, kIsn + 1, c.iss + 1, kAck, window);
  EXPECT_TRUE(rig.take().empty());
  EXPECT_EQ(rig.counters().retransmits_fast, 0u);
}

// --- out of order and duplicates from the client -------------------------------------------------

TEST(Reorder, DataBeyondAGapIsHeldAndSackedButNotAcknowledged) {
  StackRig rig;
  ClientFlow f;
  const auto c = rig.open(f, kIsn, linux_syn_options(1460, 7, 1));
  EXPECT_EQ(rig.client_sends(f, kIsn + 1 + 1000, c.iss + 1, kAck, 502, pattern(500)), std::nullopt);
  EXPECT_EQ(rig.counters().dropped(), 0u);
  EXPECT_TRUE(c.socket->received.empty()) << "nothing reaches the server across a gap";
  EXPECT_EQ(rig.tcp().held_bytes(), 500u);
  EXPECT_EQ(rig.counters().bytes_held, 500u);
  const auto out = rig.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].flags, kAck);
  EXPECT_EQ(out[0].ack, kIsn + 1) << "what is missing";
  EXPECT_EQ(out[0].window, kCapacity >> 7);
  ASSERT_EQ(out[0].options.sack_count, 1u);
  EXPECT_EQ(out[0].options.sack[0].left, kIsn + 1001);
  EXPECT_EQ(out[0].options.sack[0].right, kIsn + 1501);
  EXPECT_TRUE(out[0].options.ts_val.has_value()) << "SACK beside the timestamps";
}

TEST(Reorder, FillingTheGapDeliversTheHeldBytesAndAcknowledgesThemWithoutSack) {
  StackRig rig;
  ClientFlow f;
  const auto c = rig.open(f, kIsn, linux_syn_options(1460, 7, 1));
  const Bytes data = pattern(1500);
  rig.client_sends(f, kIsn + 1001, c.iss + 1, kAck, 502, slice(data, 1000, 1500));
  rig.take();
  rig.client_sends(f, kIsn + 1, c.iss + 1, kAck, 502, slice(data, 0, 1000));
  EXPECT_EQ(c.socket->received, data);
  const auto out = rig.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].ack, kIsn + 1501);
  EXPECT_EQ(out[0].options.sack_count, 0u) << "nothing held any more";
  EXPECT_EQ(rig.tcp().held_bytes(), 0u);
  EXPECT_EQ(rig.counters().bytes_reassembled, 500u);
  EXPECT_EQ(rig.counters().bytes_to_sockets, 1500u);
  EXPECT_EQ(rig.counters().dropped(), 0u);
}

// Four 1000-byte segments (and some again) in every order a lossy path produces: the server gets
// the 4000 bytes once and in order, and the last ACK covers them all.
struct ArrivalRow {
  const char* name;
  std::vector<int> order;  // segment indices, repeats allowed
};

class HeldData : public testing::TestWithParam<ArrivalRow> {};

TEST_P(HeldData, AnyArrivalOrderDeliversEveryByteOnceInOrder) {
  StackRig rig;
  ClientFlow f;
  const auto c = rig.open(f, kIsn, linux_syn_options(1460, 7, 1));
  const Bytes data = pattern(4000);
  for (const int k : GetParam().order) {
    const auto from = static_cast<std::size_t>(k) * 1000;
    rig.client_sends(f, kIsn + 1 + static_cast<std::uint32_t>(from), c.iss + 1, kAck, 502,
                     slice(data, from, from + 1000));
  }
  EXPECT_EQ(c.socket->received, data);
  const auto out = rig.take();
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out.back().ack, kIsn + 4001);
  EXPECT_EQ(out.back().options.sack_count, 0u);
  EXPECT_EQ(rig.tcp().held_bytes(), 0u);
  EXPECT_EQ(rig.counters().dropped(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Orders, HeldData,
                         testing::Values(ArrivalRow{"InOrder", {0, 1, 2, 3}}, ArrivalRow{"Reversed", {3, 2, 1, 0}},
                                         ArrivalRow{"TwoGaps", {1, 3, 0, 2}}, ArrivalRow{"SwappedPair", {0, 2, 1, 3}},
                                         ArrivalRow{"HeldTwice", {2, 2, 3, 3, 0, 1}},
                                         ArrivalRow{"OldAndHeldAgain", {0, 2, 0, 2, 1, 3}},
                                         ArrivalRow{"FirstLast", {1, 2, 3, 0}}),
                         [](const testing::TestParamInfo<ArrivalRow>& i) { return std::string(i.param.name); });

TEST(Reorder, SackNamesTheBlockOfTheLatestSegmentFirst) {
  StackRig rig;
  ClientFlow f;
  const auto c = rig.open(f, kIsn, linux_syn_options(1460, 7, 1));
  rig.client_sends(f, kIsn + 2001, c.iss + 1, kAck, 502, pattern(1000));  // [2000, 3000)
  rig.client_sends(f, kIsn + 4001, c.iss + 1, kAck, 502, pattern(1000));  // [4000, 5000)
  auto out = rig.take();
  ASSERT_EQ(out.size(), 2u);
  ASSERT_EQ(out[1].options.sack_count, 2u);
  EXPECT_EQ(out[1].options.sack[0].left, kIsn + 4001) << "RFC 2018 §4: the latest segment's block first";
  EXPECT_EQ(out[1].options.sack[1].left, kIsn + 2001);
  // A segment that joins [2000, 3000): that block, now [1500, 3000), comes first again.
  rig.client_sends(f, kIsn + 1501, c.iss + 1, kAck, 502, pattern(500));
  out = rig.take();
  ASSERT_EQ(out.size(), 1u);
  ASSERT_EQ(out[0].options.sack_count, 2u);
  EXPECT_EQ(out[0].options.sack[0].left, kIsn + 1501);
  EXPECT_EQ(out[0].options.sack[0].right, kIsn + 3001);
  EXPECT_EQ(out[0].options.sack[1].left, kIsn + 4001);
}

TEST(Reorder, WithoutSackPermittedDataIsHeldButNoSackIsSent) {
  StackRig rig;
  ClientFlow f;
  const auto c = rig.open(f, kIsn, plain_options());
  rig.client_sends(f, kIsn + 1001, c.iss + 1, kAck, 65535, pattern(500));
  const auto out = rig.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].options.sack_count, 0u);
  EXPECT_EQ(rig.tcp().held_bytes(), 500u);
}

struct HeldLimitRow {
  const char* name;
  std::size_t per_connection, pieces, total, capacity;  // config, and the socket's buffer
  std::size_t held;                                     // bytes held of [1000, 1500) ∪ [2000, 2500)
};

class HeldLimit : public testing::TestWithParam<HeldLimitRow> {};

TEST_P(HeldLimit, WhatDoesNotFitIsCountedAsDroppedAndNothingMoreIsHeld) {
  const auto r = GetParam();
  stack::TcpOptionsConfig cfg;
  cfg.held_bytes = r.per_connection;
  cfg.held_pieces = r.pieces;
  cfg.held_bytes_total = r.total;
  StackRig rig(cfg);
  ClientFlow f;
  const auto c = rig.open(f, kIsn, syn_options(1460, std::nullopt, true, std::nullopt));
  c.socket->capacity = r.capacity;
  rig.client_sends(f, kIsn + 1, c.iss + 1, kAck, 65535, {0x42});  // so that the window says `capacity`
  rig.client_sends(f, kIsn + 1001, c.iss + 1, kAck, 65535, pattern(500));
  rig.client_sends(f, kIsn + 2001, c.iss + 1, kAck, 65535, pattern(500));
  EXPECT_EQ(rig.tcp().held_bytes(), r.held);
  EXPECT_EQ(rig.counters().bytes_held, r.held);
  EXPECT_EQ(rig.counters().dropped(stack::Drop::kOutOfOrder), r.held == 1000 ? 0u : 1u);
}

INSTANTIATE_TEST_SUITE_P(Limits, HeldLimit,
                         testing::Values(HeldLimitRow{"NoneReached", 4096, 8, 1 << 20, 1 << 20, 1000},
                                         HeldLimitRow{"BytesPerConnection", 700, 8, 1 << 20, 1 << 20, 700},
                                         HeldLimitRow{"Pieces", 4096, 1, 1 << 20, 1 << 20, 500},
                                         HeldLimitRow{"TotalOverConnections", 4096, 8, 800, 1 << 20, 800},
                                         HeldLimitRow{"AdvertisedWindow", 4096, 8, 1 << 20, 2300, 800}),
                         [](const testing::TestParamInfo<HeldLimitRow>& i) { return std::string(i.param.name); });

TEST(Reorder, AFinBeyondTheGapEndsTheStreamOnceTheGapIsFilled) {
  StackRig rig;
  ClientFlow f;
  const auto c = rig.open(f, kIsn, linux_syn_options(1460, 7, 1));
  const Bytes data = pattern(1500);
  rig.client_sends(f, kIsn + 1001, c.iss + 1, kAck | TcpHeader::kFin, 502, slice(data, 1000, 1500));
  EXPECT_FALSE(c.socket->write_shut);
  rig.take();
  rig.client_sends(f, kIsn + 1, c.iss + 1, kAck, 502, slice(data, 0, 1000));
  EXPECT_EQ(c.socket->received, data);
  EXPECT_TRUE(c.socket->write_shut) << "the held FIN was passed on";
  const auto out = rig.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].ack, kIsn + 1502) << "the FIN acknowledged";
}

TEST(Reorder, HeldBytesWaitForRoomInTheSocket) {
  StackRig rig;
  ClientFlow f;
  const auto c = rig.open(f, kIsn, linux_syn_options(1460, 7, 1));
  const Bytes data = pattern(1500);
  rig.client_sends(f, kIsn + 1001, c.iss + 1, kAck, 502, slice(data, 1000, 1500));
  ASSERT_EQ(rig.take().size(), 1u);
  c.socket->capacity = 1200;
  rig.client_sends(f, kIsn + 1, c.iss + 1, kAck, 502, slice(data, 0, 1000));
  EXPECT_EQ(c.socket->received, slice(data, 0, 1200)) << "200 of the held 500 fit";
  EXPECT_EQ(rig.tcp().held_bytes(), 300u);
  auto out = rig.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].ack, kIsn + 1201);
  c.socket->server_reads(1200);
  rig.socket_event(c.token, {false, true, false});
  EXPECT_EQ(c.socket->received, data);
  EXPECT_EQ(rig.tcp().held_bytes(), 0u);
  out = rig.take();
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out.back().ack, kIsn + 1501);
}

TEST(Reorder, AResetConnectionGivesItsHeldBytesBack) {
  StackRig rig;
  ClientFlow f;
  const auto c = rig.open(f, kIsn, linux_syn_options(1460, 7, 1));
  rig.client_sends(f, kIsn + 1001, c.iss + 1, kAck, 502, pattern(500));
  ASSERT_EQ(rig.tcp().held_bytes(), 500u);
  rig.client_sends(f, kIsn + 1, 0, kRst, 0);
  EXPECT_EQ(rig.tcp().connections(), 0u);
  EXPECT_EQ(rig.tcp().held_bytes(), 0u);
}

TEST(Reorder, OldDuplicateIsAcknowledgedAgainAndNotDeliveredTwice) {
  StackRig rig;
  ClientFlow f;
  const auto c = rig.open(f, kIsn, linux_syn_options(1460, 7, 1));
  const Bytes data = pattern(1000);
  rig.client_sends(f, kIsn + 1, c.iss + 1, kAck, 502, data);
  ASSERT_EQ(rig.take().size(), 1u);
  // The whole segment again, then a piece inside it: both old.
  rig.client_sends(f, kIsn + 1, c.iss + 1, kAck, 502, data);
  rig.client_sends(f, kIsn + 201, c.iss + 1, kAck, 502, slice(data, 200, 700));
  const auto out = rig.take();
  ASSERT_EQ(out.size(), 2u);
  for (const auto& o : out) EXPECT_EQ(o.ack, kIsn + 1001);
  EXPECT_EQ(c.socket->received, data);
  EXPECT_EQ(rig.counters().bytes_to_sockets, 1000u);
}

TEST(Reorder, OverlappingSegmentDeliversOnlyTheNewPart) {
  StackRig rig;
  ClientFlow f;
  const auto c = rig.open(f, kIsn, linux_syn_options(1460, 7, 1));
  const Bytes data = pattern(1500);
  rig.client_sends(f, kIsn + 1, c.iss + 1, kAck, 502, slice(data, 0, 1000));
  rig.client_sends(f, kIsn + 501, c.iss + 1, kAck, 502, slice(data, 500, 1500));
  EXPECT_EQ(c.socket->received, data);
  EXPECT_EQ(rig.counters().bytes_to_sockets, 1500u);
  const auto out = rig.take();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].ack, kIsn + 1501);
}

// --- zero windows --------------------------------------------------------------------------------

TEST(ZeroWindow, ClientZeroWindowIsProbedByThePersistTimerUntilItOpens) {
  StackRig rig;
  ClientFlow f;
  const auto c = rig.open(f, kIsn, plain_options(), 1000);
  const Bytes data = pattern(3000);
  c.socket->server_sends(data);
  rig.socket_event(c.token, {true, false, false});
  auto out = rig.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].payload, slice(data, 0, 1000));
  rig.client_sends(f, kIsn + 1, c.iss + 1001, kAck, 0);  // all taken, no room left
  EXPECT_TRUE(rig.take().empty());
  for (const std::uint64_t wait : {1000u, 2000u}) {
    SCOPED_TRACE(wait);
    rig.advance(wait - 1);
    EXPECT_TRUE(rig.take().empty());
    rig.advance(1);
    out = rig.take();
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].flags, kAck);
    EXPECT_EQ(out[0].seq, c.iss + 1000) << "one below what the client expects: it must answer";
    EXPECT_EQ(out[0].ack, kIsn + 1);
    EXPECT_TRUE(out[0].payload.empty());
    rig.client_sends(f, kIsn + 1, c.iss + 1001, kAck, 0);  // the answer: still closed
    EXPECT_TRUE(rig.take().empty());
  }
  EXPECT_EQ(rig.counters().window_probes, 2u);
  rig.client_sends(f, kIsn + 1, c.iss + 1001, kAck, 4000);  // open again
  out = rig.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].seq, c.iss + 1001);
  EXPECT_EQ(out[0].payload, slice(data, 1000, 3000));
  rig.client_sends(f, kIsn + 1, c.iss + 3001, kAck, 4000);
  rig.advance(10000);
  EXPECT_TRUE(rig.take().empty()) << "no probe once the window is open";
  EXPECT_EQ(rig.counters().window_probes, 2u);
}

TEST(ZeroWindow, OurZeroWindowAnswersTheClientProbeWithTheCurrentWindow) {
  StackRig rig;
  ClientFlow f;
  const auto c = rig.open(f, kIsn, linux_syn_options(1460, 7, 1));
  c.socket->capacity = 1000;
  rig.client_sends(f, kIsn + 1, c.iss + 1, kAck, 502, pattern(1000));
  auto out = rig.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].window, 0);
  // Linux probes (and keeps alive) with an empty segment one below our rcv_nxt.
  rig.client_sends(f, kIsn + 1000, c.iss + 1, kAck, 502);
  out = rig.take();
  ASSERT_EQ(out.size(), 1u) << "a probe must be answered";
  EXPECT_EQ(out[0].ack, kIsn + 1001);
  EXPECT_EQ(out[0].window, 0);
  // Other stacks probe with one new byte: refused, answered the same way.
  rig.client_sends(f, kIsn + 1001, c.iss + 1, kAck, 502, {0x11});
  out = rig.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].ack, kIsn + 1001);
  EXPECT_EQ(out[0].window, 0);
  EXPECT_EQ(rig.counters().dropped(stack::Drop::kSocketFull), 1u);
  // The server read: the next probe learns the window.
  c.socket->server_reads(1000);
  rig.client_sends(f, kIsn + 1000, c.iss + 1, kAck, 502);
  out = rig.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].ack, kIsn + 1001);
  EXPECT_EQ(out[0].window, 1000 >> 7);
  EXPECT_EQ(c.socket->received.size(), 1000u);
}

// --- sequence numbers wrap modulo 2^32 ---------------------------------------------------------

TEST(Wrap, OurSequenceNumbersWrapAround) {
  stack::TcpOptionsConfig cfg;
  cfg.isn_seed = 2475141;  // the first ISS it draws is 2^32 - 2209
  StackRig rig(cfg);
  ClientFlow f;
  const auto c = rig.open(f, kIsn, plain_options());
  ASSERT_EQ(c.iss, 0xFFFFFFFFu - 2208);
  const Bytes data = pattern(6000);
  c.socket->server_sends(data);
  rig.socket_event(c.token, {true, false, false});
  auto out = rig.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].seq, c.iss + 1);
  EXPECT_EQ(out[0].payload, data);
  const std::uint32_t past_wrap = c.iss + 3001;  // a small number
  ASSERT_LT(past_wrap, 1000u);
  rig.client_sends(f, kIsn + 1, past_wrap, kAck, 65535);
  EXPECT_EQ(c.socket->unacknowledged(), 3000u);
  for (int dup = 0; dup < 3; ++dup) rig.client_sends(f, kIsn + 1, past_wrap, kAck, 65535);
  out = rig.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].seq, past_wrap);
  EXPECT_EQ(out[0].payload, slice(data, 3000, 6000));
  rig.client_sends(f, kIsn + 1, c.iss + 6001, kAck, 65535);
  EXPECT_EQ(c.socket->unacknowledged(), 0u);
  EXPECT_EQ(rig.tcp().next_deadline(), 0u);
  c.socket->server_closes();
  rig.socket_event(c.token, {true, false, false});
  out = rig.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].flags, TcpHeader::kFin | kAck);
  EXPECT_EQ(out[0].seq, c.iss + 6001);
  rig.client_sends(f, kIsn + 1, c.iss + 6002, TcpHeader::kFin | kAck, 65535);
  out = rig.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].ack, kIsn + 2);
  EXPECT_EQ(rig.counters().tcp_closed, 1u);
}

TEST(Wrap, ClientSequenceNumbersWrapAround) {
  StackRig rig;
  ClientFlow f;
  constexpr std::uint32_t kLateIsn = 0xFFFFFFFFu - 500;
  const auto c = rig.open(f, kLateIsn, linux_syn_options(1460, 7, 1));
  const Bytes data = pattern(2000);
  rig.client_sends(f, kLateIsn + 1, c.iss + 1, kAck, 502, slice(data, 0, 1000));  // across the wrap
  auto out = rig.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].ack, kLateIsn + 1001);
  EXPECT_LT(out[0].ack, 1000u);
  // Beyond the gap (after the wrap) is held; before it (before the wrap) is old.
  rig.client_sends(f, kLateIsn + 1501, c.iss + 1, kAck, 502, slice(data, 1500, 2000));
  rig.client_sends(f, kLateIsn + 1, c.iss + 1, kAck, 502, slice(data, 0, 400));
  out = rig.take();
  ASSERT_EQ(out.size(), 2u);
  for (const auto& o : out) EXPECT_EQ(o.ack, kLateIsn + 1001);
  ASSERT_EQ(out[0].options.sack_count, 1u);
  EXPECT_EQ(out[0].options.sack[0].left, kLateIsn + 1501);
  EXPECT_EQ(out[0].options.sack[0].right, kLateIsn + 2001);
  EXPECT_EQ(rig.tcp().held_bytes(), 500u);
  rig.client_sends(f, kLateIsn + 501, c.iss + 1, kAck, 502, slice(data, 500, 2000));  // overlaps across
  EXPECT_EQ(c.socket->received, data);
  EXPECT_EQ(rig.tcp().held_bytes(), 0u) << "the held copy was superseded";
  EXPECT_EQ(rig.counters().dropped(), 0u);
  rig.client_sends(f, kLateIsn + 2001, 0, kRst, 0);
  EXPECT_EQ(rig.tcp().connections(), 0u);
  EXPECT_EQ(rig.counters().tcp_reset, 1u);
}

}  // namespace

// The end of TCP connections: FINs and half-close from either side, simultaneous close, the
// linger; RSTs from either side and RSTs with a bad sequence number; segments of no connection.
#include <cerrno>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "support/packet_builder.h"
#include "support/stack_rig.h"

namespace {

using namespace tbtest;
using packet::TcpHeader;

// --- FIN and half-close --------------------------------------------------------------------------

TEST(Close, ClientFinShutsTheSocketWriteSideAndIsAcknowledged) {
  stack::TcpOptionsConfig cfg;
  cfg.linger_ms = 2000;
  StackRig rig(cfg);
  ClientFlow f;
  const auto c = rig.open(f, kIsn, linux_syn_options(1460, 7, 1));
  rig.client_sends(f, kIsn + 1, c.iss + 1, kFin | kAck, 502);
  EXPECT_TRUE(c.socket->write_shut);
  auto out = rig.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].flags, kAck);
  EXPECT_EQ(out[0].ack, kIsn + 2) << "the FIN takes one sequence number";
  EXPECT_EQ(out[0].seq, c.iss + 1);
  EXPECT_EQ(rig.counters().tcp_closed, 0u) << "half-closed: the server may still send";

  const Bytes data = pattern(500);
  c.socket->server_sends(data);
  c.socket->server_closes();
  rig.socket_event(c.token, {true, false, false});
  out = rig.take();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].payload, data);
  EXPECT_EQ(out[0].ack, kIsn + 2);
  EXPECT_EQ(out[1].flags, kFin | kAck);
  EXPECT_EQ(out[1].seq, c.iss + 501);
  EXPECT_TRUE(out[1].payload.empty());

  EXPECT_EQ(c.socket->unacknowledged(), 500u) << "not consumed before the client acknowledged it";
  rig.client_sends(f, kIsn + 2, c.iss + 502, kAck, 502);  // both FINs acknowledged
  EXPECT_TRUE(rig.take().empty());
  EXPECT_EQ(rig.counters().tcp_closed, 1u);
  EXPECT_TRUE(rig.sockets().records.at(c.token).closed) << "the socket is closed at once";
  EXPECT_EQ(rig.tcp().connections(), 1u) << "lingers";
  rig.advance(1999);
  EXPECT_EQ(rig.tcp().connections(), 1u);
  rig.advance(1);
  EXPECT_EQ(rig.tcp().connections(), 0u);
  EXPECT_TRUE(rig.take().empty());
  EXPECT_EQ(rig.tcp().next_deadline(), 0u);
  EXPECT_EQ(rig.counters().tcp_reset, 0u);
}

TEST(Close, ServerEofSendsFinOnlyAfterAllItsData) {
  StackRig rig;
  ClientFlow f;
  const auto c = rig.open(f, kIsn, plain_options(), 1000);
  const Bytes data = pattern(2500);
  c.socket->server_sends(data);
  c.socket->server_closes();
  rig.socket_event(c.token, {true, false, false});
  auto out = rig.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].payload.size(), 1000u);
  EXPECT_FALSE(out[0].has(kFin));
  rig.client_sends(f, kIsn + 1, c.iss + 1001, kAck, 1000);
  out = rig.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].payload.size(), 1000u);
  EXPECT_FALSE(out[0].has(kFin));
  rig.client_sends(f, kIsn + 1, c.iss + 2001, kAck, 1000);
  out = rig.take();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].seq, c.iss + 2001);
  EXPECT_EQ(out[0].payload, Bytes(data.begin() + 2000, data.end()));
  EXPECT_EQ(out[1].flags, kFin | kAck);
  EXPECT_EQ(out[1].seq, c.iss + 2501);
  EXPECT_FALSE(c.socket->write_shut) << "the client has not closed its side";
}

TEST(Close, ClientFinAfterOurFinWasAcknowledgedIsAcknowledged) {
  StackRig rig;
  ClientFlow f;
  const auto c = rig.open(f, kIsn, linux_syn_options(1460, 7, 1));
  c.socket->server_closes();
  rig.socket_event(c.token, {true, false, false});
  auto out = rig.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].flags, kFin | kAck);
  EXPECT_EQ(out[0].seq, c.iss + 1);
  rig.client_sends(f, kIsn + 1, c.iss + 2, kAck, 502);  // our FIN acknowledged
  EXPECT_TRUE(rig.take().empty());
  EXPECT_EQ(rig.counters().tcp_closed, 0u);
  rig.client_sends(f, kIsn + 1, c.iss + 2, kFin | kAck, 502);  // later, the client closes too
  out = rig.take();
  ASSERT_EQ(out.size(), 1u) << "the client's FIN must be acknowledged now, not after its retransmission";
  EXPECT_EQ(out[0].flags, kAck);
  EXPECT_EQ(out[0].seq, c.iss + 2);
  EXPECT_EQ(out[0].ack, kIsn + 2);
  EXPECT_EQ(rig.counters().tcp_closed, 1u);
  EXPECT_TRUE(rig.sockets().records.at(c.token).write_shut);
}

TEST(Close, ClientFinThatAcknowledgesOurFinIsAcknowledged) {
  StackRig rig;
  ClientFlow f;
  const auto c = rig.open(f, kIsn, plain_options());
  c.socket->server_closes();
  rig.socket_event(c.token, {true, false, false});
  ASSERT_EQ(rig.take().size(), 1u);
  rig.client_sends(f, kIsn + 1, c.iss + 2, kFin | kAck, 65535);
  const auto out = rig.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].flags, kAck);
  EXPECT_EQ(out[0].ack, kIsn + 2);
  EXPECT_EQ(rig.counters().tcp_closed, 1u);
}

TEST(Close, SimultaneousCloseAcknowledgesBothFins) {
  StackRig rig;
  ClientFlow f;
  const auto c = rig.open(f, kIsn, linux_syn_options(1460, 7, 1));
  c.socket->server_closes();
  rig.socket_event(c.token, {true, false, false});
  auto out = rig.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].flags, kFin | kAck);
  // The client's FIN crossed ours: it acknowledges nothing of ours yet.
  rig.client_sends(f, kIsn + 1, c.iss + 1, kFin | kAck, 502);
  out = rig.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].flags, kAck);
  EXPECT_EQ(out[0].seq, c.iss + 2);
  EXPECT_EQ(out[0].ack, kIsn + 2);
  EXPECT_EQ(rig.counters().tcp_closed, 0u);
  EXPECT_TRUE(c.socket->write_shut);
  rig.client_sends(f, kIsn + 2, c.iss + 2, kAck, 502);
  EXPECT_TRUE(rig.take().empty());
  EXPECT_EQ(rig.counters().tcp_closed, 1u);
  EXPECT_EQ(rig.tcp().connections(), 1u);
}

TEST(Close, RetransmittedFinDuringTheLingerIsAcknowledged) {
  stack::TcpOptionsConfig cfg;
  cfg.linger_ms = 2000;
  StackRig rig(cfg);
  ClientFlow f;
  const auto c = rig.open(f, kIsn, linux_syn_options(1460, 7, 1));
  rig.client_sends(f, kIsn + 1, c.iss + 1, kFin | kAck, 502);
  c.socket->server_closes();
  rig.socket_event(c.token, {true, false, false});
  rig.client_sends(f, kIsn + 2, c.iss + 2, kAck, 502);
  rig.take();
  ASSERT_EQ(rig.counters().tcp_closed, 1u);
  for (int i = 0; i < 2; ++i) {
    rig.advance(500);
    rig.client_sends(f, kIsn + 1, c.iss + 2, kFin | kAck, 502);  // our last ACK was lost
    const auto out = rig.take();
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].flags, kAck);
    EXPECT_EQ(out[0].seq, c.iss + 2);
    EXPECT_EQ(out[0].ack, kIsn + 2);
  }
  rig.advance(999);
  EXPECT_EQ(rig.tcp().connections(), 1u) << "the linger runs from the close, not from the last FIN";
  rig.advance(1);
  EXPECT_EQ(rig.tcp().connections(), 0u);
  // After the linger the connection is unknown: a late FIN is answered with RST.
  rig.client_sends(f, kIsn + 1, c.iss + 2, kFin | kAck, 502);
  const auto out = rig.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].flags, kRst);
  EXPECT_EQ(out[0].seq, c.iss + 2);
  EXPECT_EQ(rig.counters().dropped(stack::Drop::kNoConnection), 1u);
}

TEST(Close, FinAcknowledgedAfterAGoBackStillCounts) {
  StackRig rig;
  ClientFlow f;
  const auto c = rig.open(f, kIsn, plain_options(), 3000);
  c.socket->server_sends(pattern(2000));
  c.socket->server_closes();
  rig.socket_event(c.token, {true, false, false});
  auto out = rig.take();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].flags, kFin | kAck);
  EXPECT_EQ(out[1].seq, c.iss + 2001);
  // Half acknowledged, the client's window shut; the timer goes back but nothing fits.
  rig.client_sends(f, kIsn + 1, c.iss + 1001, kAck, 0);
  rig.advance(1000);
  EXPECT_TRUE(rig.take().empty());
  EXPECT_EQ(rig.counters().retransmits_timeout, 1u);
  // Then everything, the FIN included, turns out to have arrived.
  rig.client_sends(f, kIsn + 1, c.iss + 2002, kAck, 3000);
  EXPECT_TRUE(rig.take().empty()) << "nothing is left to send, no second FIN";
  EXPECT_EQ(c.socket->unacknowledged(), 0u);
  rig.client_sends(f, kIsn + 1, c.iss + 2002, kFin | kAck, 3000);
  out = rig.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].flags, kAck);
  EXPECT_EQ(out[0].seq, c.iss + 2002);
  EXPECT_EQ(out[0].ack, kIsn + 2);
  EXPECT_EQ(rig.counters().tcp_closed, 1u);
}

// --- RST -----------------------------------------------------------------------------------------

TEST(Reset, ExactClientRstAbortsTheSocketAndRemovesTheConnection) {
  StackRig rig;
  ClientFlow f;
  const auto c = rig.open(f, kIsn, linux_syn_options(1460, 7, 1));
  rig.client_sends(f, kIsn + 1, 0, kRst, 0);
  EXPECT_TRUE(rig.take().empty()) << "a RST is never answered";
  EXPECT_EQ(rig.tcp().connections(), 0u);
  EXPECT_FALSE(rig.tcp().knows(c.token));
  EXPECT_TRUE(rig.sockets().records.at(c.token).aborted);
  EXPECT_TRUE(rig.sockets().records.at(c.token).closed);
  EXPECT_EQ(rig.counters().tcp_reset, 1u);
  EXPECT_EQ(rig.counters().dropped(), 0u);
  EXPECT_EQ(rig.tcp().next_deadline(), 0u);
}

struct RstRow {
  const char* name;
  std::int64_t offset;  // from rcv_nxt
  bool challenge;       // in the window: challenge ACK (RFC 5961 §3.2); outside: dropped silently
};

class ClientRst : public testing::TestWithParam<RstRow> {};

TEST_P(ClientRst, NotExactIsChallengedInTheWindowAndDroppedOutside) {
  const RstRow r = GetParam();
  StackRig rig;
  ClientFlow f;
  const auto c = rig.open(f, kIsn, linux_syn_options(1460, 7, 1));
  rig.client_sends(f, kIsn + 1, c.iss + 1, kAck, 502, pattern(100));
  const auto ack = rig.take();
  ASSERT_EQ(ack.size(), 1u);
  ASSERT_EQ(std::uint32_t{ack[0].window} << 7, 1048448u) << "the window the rows are placed in";
  const std::uint32_t rcv_nxt = kIsn + 101;
  rig.client_sends(f, static_cast<std::uint32_t>(rcv_nxt + r.offset), 0, kRst, 0);
  const auto out = rig.take();
  if (r.challenge) {
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].flags, kAck);
    EXPECT_EQ(out[0].seq, c.iss + 1);
    EXPECT_EQ(out[0].ack, rcv_nxt);
  } else {
    EXPECT_TRUE(out.empty());
  }
  EXPECT_EQ(rig.counters().dropped(stack::Drop::kOutOfWindow), 1u);
  EXPECT_FALSE(c.socket->aborted);
  EXPECT_EQ(rig.tcp().connections(), 1u);
  EXPECT_EQ(rig.counters().tcp_reset, 0u);
}

INSTANTIATE_TEST_SUITE_P(Reset, ClientRst,
                         testing::Values(RstRow{"NextInWindow", 1, true}, RstRow{"FarInWindow", 500000, true},
                                         RstRow{"LastInWindow", 1048447, true},
                                         RstRow{"JustBeyondTheWindow", 1048448, false},
                                         RstRow{"BeforeTheWindow", -1, false},
                                         RstRow{"HalfTheSpaceAway", 0x80000000LL, false}),
                         [](const testing::TestParamInfo<RstRow>& i) { return std::string(i.param.name); });

TEST(Reset, ServerResetOnPeekSendsRstToTheClient) {
  StackRig rig;
  ClientFlow f;
  const auto c = rig.open(f, kIsn, linux_syn_options(1460, 7, 1));
  c.socket->server_sends(pattern(1000));
  rig.socket_event(c.token, {true, false, false});
  ASSERT_EQ(rig.take().size(), 1u);
  c.socket->error = ECONNRESET;
  rig.socket_event(c.token, {true, false, true});
  const auto out = rig.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].flags, kRst | kAck);
  EXPECT_EQ(out[0].seq, c.iss + 1001);
  EXPECT_EQ(out[0].ack, kIsn + 1);
  EXPECT_EQ(out[0].window, 0);
  EXPECT_EQ(rig.tcp().connections(), 0u);
  EXPECT_TRUE(rig.sockets().records.at(c.token).closed);
  EXPECT_EQ(rig.counters().tcp_reset, 1u);
}

TEST(Reset, ServerResetOnSendSendsRstToTheClient) {
  StackRig rig;
  ClientFlow f;
  const auto c = rig.open(f, kIsn, linux_syn_options(1460, 7, 1));
  c.socket->error = EPIPE;
  rig.client_sends(f, kIsn + 1, c.iss + 1, kAck, 502, pattern(100));
  const auto out = rig.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].flags, kRst | kAck);
  EXPECT_EQ(out[0].seq, c.iss + 1);
  EXPECT_EQ(out[0].ack, kIsn + 1) << "nothing of the refused data was taken";
  EXPECT_EQ(rig.tcp().connections(), 0u);
  EXPECT_TRUE(rig.sockets().records.at(c.token).aborted);
  EXPECT_EQ(rig.counters().tcp_reset, 1u);
  EXPECT_EQ(rig.counters().bytes_to_sockets, 0u);
}

TEST(Reset, ClientRstWhileConnectingRemovesTheConnection) {
  StackRig rig;
  ClientFlow f;
  rig.client_sends(f, kIsn, 0, kSyn, 64240);
  const auto token = rig.sockets().last_stream;
  rig.client_sends(f, kIsn + 1, 0, kRst, 0);
  EXPECT_TRUE(rig.take().empty());
  EXPECT_EQ(rig.tcp().connections(), 0u);
  EXPECT_TRUE(rig.sockets().records.at(token).aborted);
  rig.socket_event(token, {false, true, false});  // the connect completes after all: too late
  EXPECT_TRUE(rig.take().empty());
}

// --- segments of no connection -------------------------------------------------------------------

struct StrayRow {
  const char* name;
  std::uint8_t flags;
  std::size_t payload;
  std::uint8_t rst_flags;
  std::uint32_t rst_seq, rst_ack;
};

class NoConnection : public testing::TestWithParam<StrayRow> {};

TEST_P(NoConnection, SegmentIsAnsweredWithRst) {
  const StrayRow r = GetParam();
  StackRig rig;
  ClientFlow f;
  EXPECT_EQ(rig.client_sends(f, 5000, 777, r.flags, 502, pattern(r.payload)), std::nullopt);
  const auto out = rig.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].flags, r.rst_flags);
  EXPECT_EQ(out[0].seq, r.rst_seq);
  EXPECT_EQ(out[0].ack, r.rst_ack);
  EXPECT_EQ(out[0].window, 0);
  EXPECT_TRUE(out[0].payload.empty());
  EXPECT_TRUE(l4_checksum_ok(out[0].bytes));
  const auto ip = packet::parse_ip(out[0].bytes);
  ASSERT_TRUE(ip.ok);
  const packet::ConstTcpHeader t(std::span<const std::uint8_t>(out[0].bytes).subspan(ip.layers.l4_offset));
  EXPECT_EQ(t.src_port(), f.server_port);
  EXPECT_EQ(t.dst_port(), f.client_port);
  EXPECT_EQ(rig.counters().dropped(stack::Drop::kNoConnection), 1u);
  EXPECT_EQ(rig.counters().dropped(), 1u);
  EXPECT_EQ(rig.tcp().connections(), 0u);
  EXPECT_TRUE(rig.sockets().streams.empty());
}

INSTANTIATE_TEST_SUITE_P(Segments, NoConnection,
                         testing::Values(StrayRow{"Ack", kAck, 0, kRst, 777, 0},
                                         StrayRow{"AckWithData", kAck | kPsh, 100, kRst, 777, 0},
                                         StrayRow{"FinAck", kFin | kAck, 0, kRst, 777, 0},
                                         StrayRow{"SynAck", kSyn | kAck, 0, kRst, 777, 0},
                                         StrayRow{"FinWithoutAck", kFin, 0, kRst | kAck, 0, 5001},
                                         StrayRow{"DataWithoutAck", kPsh, 100, kRst | kAck, 0, 5100},
                                         StrayRow{"NoFlags", 0, 0, kRst | kAck, 0, 5000}),
                         [](const testing::TestParamInfo<StrayRow>& i) { return std::string(i.param.name); });

TEST(NoConnection, RstOfNoConnectionIsNotAnswered) {
  StackRig rig;
  ClientFlow f;
  rig.client_sends(f, 5000, 0, kRst, 0);
  rig.client_sends(f, 5000, 777, kRst | kAck, 0);
  EXPECT_TRUE(rig.take().empty());
  EXPECT_EQ(rig.counters().dropped(stack::Drop::kNoConnection), 2u);
  EXPECT_EQ(rig.counters().packets_out, 0u);
}

}  // namespace

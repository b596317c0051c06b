// The TCP engine's handshake: options echoed only as offered, the SYN-ACK only once the server
// accepted, refused / unreachable / timed-out connects answered with RST, retransmitted SYNs and
// SYN-ACKs.
#include <cerrno>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "support/packet_builder.h"
#include "support/stack_rig.h"

namespace {

using namespace tbtest;

// --- options echoed only as the client offers them (every combination) --------------------------

struct OfferRow {
  bool mss, wscale, sack, ts;
};

std::string offer_name(const testing::TestParamInfo<OfferRow>& i) {
  const auto& r = i.param;
  return std::string(r.mss ? "Mss" : "NoMss") + (r.wscale ? "Wscale" : "NoWscale") + (r.sack ? "Sack" : "NoSack") +
         (r.ts ? "Ts" : "NoTs");
}

class HandshakeOffers : public testing::TestWithParam<OfferRow> {};

TEST_P(HandshakeOffers, SynAckEchoesOnlyWhatTheClientOffered) {
  const OfferRow r = GetParam();
  StackRig rig;
  ClientFlow f;
  const auto options = syn_options(r.mss ? std::optional<std::uint16_t>(1400) : std::nullopt,
                                   r.wscale ? std::optional<std::uint8_t>(5) : std::nullopt, r.sack,
                                   r.ts ? std::optional<std::uint32_t>(4242) : std::nullopt);
  TcpOut sa;
  const auto token = rig.establish(f, kIsn, options, &sa, 2000);
  EXPECT_EQ(sa.flags, kSyn | kAck);
  EXPECT_EQ(sa.ack, kIsn + 1);
  EXPECT_EQ(sa.window, 65535) << "a SYN-ACK's window is not scaled: min(send_space, 65535)";
  EXPECT_EQ(sa.options.mss, std::optional<std::uint16_t>(1460)) << "our MSS is always sent";
  EXPECT_EQ(sa.options.window_scale, r.wscale ? std::optional<std::uint8_t>(7) : std::nullopt);
  EXPECT_EQ(sa.options.sack_permitted, r.sack);
  EXPECT_EQ(sa.options.ts_val, r.ts ? std::optional<std::uint32_t>(1000) : std::nullopt) << "ts_val is our clock";
  EXPECT_EQ(sa.options.ts_ecr, r.ts ? 4242u : 0u);
  EXPECT_EQ(sa.header.flags, vnet::kFlagNeedsCsum);
  EXPECT_EQ(sa.header.gso_type, vnet::kGsoNone);
  EXPECT_EQ(sa.header.csum_start, 20);
  EXPECT_EQ(sa.header.csum_offset, 16);
  EXPECT_EQ(rig.counters().tcp_opened, 1u);

  // What was negotiated shows in the data that follows. Client → server: our window is scaled
  // by our shift only when the client offered scaling.
  const Bytes up = pattern(100);
  rig.client_sends(f, kIsn + 1, sa.seq + 1, kAck, 2000, up, r.ts ? ts_option(5000, 1000) : Bytes{});
  auto out = rig.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].flags, kAck);
  EXPECT_EQ(out[0].ack, kIsn + 1 + 100);
  EXPECT_EQ(out[0].window, r.wscale ? (kCapacity - 100) >> 7 : 65535u);
  EXPECT_EQ(out[0].options.ts_val.has_value(), r.ts) << "timestamps on every segment iff negotiated";
  if (r.ts) {
    EXPECT_EQ(out[0].options.ts_ecr, 5000u);
  }

  // Server → client: the client's window (2000) is scaled by its shift (5) when it offered one;
  // the segment size is its MSS (536 without the option) less the timestamps option.
  const Bytes down = pattern(70000, 2);
  auto* s = rig.sockets().streams.at(token);
  s->server_sends(down);
  rig.socket_event(token, {true, false, false});
  out = rig.take();
  ASSERT_EQ(out.size(), 1u);
  const std::size_t expected_len = r.wscale ? 2000u << 5 : 2000u;
  EXPECT_EQ(out[0].payload, Bytes(down.begin(), down.begin() + static_cast<std::ptrdiff_t>(expected_len)));
  EXPECT_EQ(out[0].seq, sa.seq + 1);
  EXPECT_EQ(out[0].flags, kAck) << "no PSH: the peek filled what the window allowed";
  EXPECT_EQ(out[0].header.gso_type, vnet::kGsoTcpV4);
  EXPECT_EQ(out[0].header.gso_size, (r.mss ? 1400 : 536) - (r.ts ? 12 : 0));
}

INSTANTIATE_TEST_SUITE_P(EveryOffer, HandshakeOffers, testing::ValuesIn([] {
                           std::vector<OfferRow> rows;
                           for (int bits = 0; bits < 16; ++bits)
                             rows.push_back({(bits & 1) != 0, (bits & 2) != 0, (bits & 4) != 0, (bits & 8) != 0});
                           return rows;
                         }()),
                         offer_name);

TEST(Handshake, Ipv6SynAckAdvertisesTheIpv6Mss) {
  StackRig rig;
  const auto f = ClientFlow::v6();
  TcpOut sa;
  rig.establish(f, kIsn, linux_syn_options(1440, 7, 1), &sa);
  EXPECT_EQ(sa.options.mss, std::optional<std::uint16_t>(1440));
  EXPECT_EQ(sa.header.csum_start, 40);
  const auto ip = packet::parse_ip(sa.bytes);
  ASSERT_TRUE(ip.ok);
  EXPECT_EQ(ip.layers.version, 6);
  EXPECT_TRUE(std::equal(ip.layers.src.begin(), ip.layers.src.end(), f.server.begin())) << "from the server";
  EXPECT_TRUE(std::equal(ip.layers.dst.begin(), ip.layers.dst.end(), f.client.begin())) << "to the client";
}

// --- the SYN-ACK only after the server accepted -------------------------------------------------

TEST(Handshake, NoSynAckBeforeTheServerConnectCompletes) {
  StackRig rig;
  ClientFlow f;
  rig.client_sends(f, kIsn, 0, kSyn, 64240, {}, linux_syn_options(1460, 7, 1));
  ASSERT_EQ(rig.sockets().streams.size(), 1u) << "the SYN starts the connect";
  EXPECT_EQ(rig.sockets().flows.at(rig.sockets().last_stream), f.key()) << "to the address the client asked for";
  const auto token = rig.sockets().last_stream;
  EXPECT_TRUE(rig.take().empty());
  rig.advance(500);
  rig.socket_event(token, {true, false, false});  // readable alone does not complete a connect
  EXPECT_TRUE(rig.take().empty());
  EXPECT_EQ(rig.tcp().connections(), 1u);
  rig.socket_event(token, {false, true, false});
  const auto out = rig.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].flags, kSyn | kAck);
  EXPECT_EQ(out[0].ack, kIsn + 1);
  EXPECT_EQ(rig.counters().tcp_opened, 0u) << "opened only when the client's ACK completes it";
  rig.client_sends(f, kIsn + 1, out[0].seq + 1, kAck, 502);
  EXPECT_TRUE(rig.take().empty()) << "the handshake's ACK needs no answer";
  EXPECT_EQ(rig.counters().tcp_opened, 1u);
}

// --- connects that fail: RST|ACK acknowledging the SYN, the connection gone ---------------------

enum class Failure { kConnectError, kErrorEvent, kFactory };
struct FailRow {
  const char* name;
  Failure how;
  int error;
};

class HandshakeFailure : public testing::TestWithParam<FailRow> {};

TEST_P(HandshakeFailure, AnsweredWithRstAckOfIsnPlusOneAndTheConnectionGone) {
  const FailRow r = GetParam();
  StackRig rig;
  ClientFlow f;
  if (r.how == Failure::kFactory) rig.sockets().fail_with = r.error;
  rig.client_sends(f, kIsn, 0, kSyn, 64240, {}, linux_syn_options(1460, 7, 1));
  std::uint64_t token = 0;
  if (r.how != Failure::kFactory) {
    ASSERT_EQ(rig.sockets().streams.size(), 1u);
    EXPECT_TRUE(rig.take().empty());
    token = rig.sockets().last_stream;
    rig.sockets().streams.at(token)->connect_result = r.error;
    rig.socket_event(token, r.how == Failure::kErrorEvent ? stack::Readiness{false, false, true}
                                                          : stack::Readiness{false, true, false});
  } else {
    EXPECT_TRUE(rig.sockets().streams.empty());
  }
  const auto out = rig.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].flags, kRst | kAck);
  EXPECT_EQ(out[0].seq, 0u);
  EXPECT_EQ(out[0].ack, kIsn + 1);
  EXPECT_EQ(out[0].window, 0);
  EXPECT_TRUE(out[0].payload.empty());
  EXPECT_TRUE(l4_checksum_ok(out[0].bytes)) << "a RST carries its full checksum";
  EXPECT_EQ(out[0].header, vnet::VnetHeader{});
  EXPECT_EQ(rig.tcp().connections(), 0u);
  EXPECT_EQ(rig.tcp().next_deadline(), 0u) << "no timer left behind";
  EXPECT_EQ(rig.counters().tcp_refused, 1u);
  EXPECT_EQ(rig.counters().tcp_opened, 0u);
  if (token != 0) {
    EXPECT_FALSE(rig.tcp().knows(token));
    EXPECT_TRUE(rig.sockets().records.at(token).closed);
  }
  // The client may try again: a new connection, not a leftover.
  rig.sockets().fail_with = 0;
  rig.client_sends(f, kIsn + 5000, 0, kSyn, 64240);
  EXPECT_EQ(rig.tcp().connections(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Connect, HandshakeFailure,
                         testing::Values(FailRow{"Refused", Failure::kConnectError, ECONNREFUSED},
                                         FailRow{"HostUnreachable", Failure::kConnectError, EHOSTUNREACH},
                                         FailRow{"NetUnreachable", Failure::kConnectError, ENETUNREACH},
                                         FailRow{"ErrorEvent", Failure::kErrorEvent, ECONNREFUSED},
                                         FailRow{"FailsAtOnceNetUnreachable", Failure::kFactory, ENETUNREACH},
                                         FailRow{"FailsAtOnceEmfile", Failure::kFactory, EMFILE}),
                         [](const testing::TestParamInfo<FailRow>& i) { return std::string(i.param.name); });

TEST(Handshake, ConnectTimeoutIsAnsweredWithRst) {
  stack::TcpOptionsConfig cfg;
  cfg.connect_timeout_ms = 30000;
  StackRig rig(cfg);
  ClientFlow f;
  rig.client_sends(f, kIsn, 0, kSyn, 64240);
  const auto token = rig.sockets().last_stream;
  EXPECT_EQ(rig.tcp().next_deadline(), rig.now + 30000);
  rig.advance(29999);
  EXPECT_TRUE(rig.take().empty());
  EXPECT_TRUE(rig.tcp().knows(token));
  rig.advance(1);
  const auto out = rig.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].flags, kRst | kAck);
  EXPECT_EQ(out[0].ack, kIsn + 1);
  EXPECT_EQ(rig.tcp().connections(), 0u);
  EXPECT_TRUE(rig.sockets().records.at(token).closed);
  EXPECT_EQ(rig.counters().tcp_refused, 1u) << "a server that never answered counts as not reached";
}

// --- retransmitted SYNs ------------------------------------------------------------------------

TEST(Handshake, SynRetransmittedWhileConnectingIsIgnored) {
  StackRig rig;
  ClientFlow f;
  rig.client_sends(f, kIsn, 0, kSyn, 64240);
  rig.advance(1000);
  rig.client_sends(f, kIsn, 0, kSyn, 64240);
  EXPECT_TRUE(rig.take().empty());
  EXPECT_EQ(rig.sockets().streams.size(), 1u) << "no second connect";
  EXPECT_EQ(rig.tcp().connections(), 1u);
  EXPECT_EQ(rig.counters().dropped(), 0u);
}

TEST(Handshake, SynRetransmittedAfterTheSynAckGetsTheSameSynAck) {
  StackRig rig;
  ClientFlow f;
  rig.client_sends(f, kIsn, 0, kSyn, 64240, {}, linux_syn_options(1460, 7, 77));
  const auto token = rig.sockets().last_stream;
  rig.socket_event(token, {false, true, false});
  const auto first = rig.take();
  ASSERT_EQ(first.size(), 1u);
  rig.client_sends(f, kIsn, 0, kSyn, 64240, {}, linux_syn_options(1460, 7, 78));
  const auto again = rig.take();
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].flags, kSyn | kAck);
  EXPECT_EQ(again[0].seq, first[0].seq);
  EXPECT_EQ(again[0].ack, kIsn + 1);
  EXPECT_EQ(again[0].options.window_scale, first[0].options.window_scale);
  EXPECT_EQ(again[0].options.ts_ecr, 78u) << "echoes the newest timestamp";
  // A SYN with another ISN is not this connection's: not answered.
  rig.client_sends(f, kIsn + 99, 0, kSyn, 64240);
  EXPECT_TRUE(rig.take().empty());
  EXPECT_EQ(rig.sockets().streams.size(), 1u);
}

TEST(Handshake, SynAckRetransmittedByTimerWithBackoffThenReset) {
  StackRig rig;  // initial_rto_ms 1000, syn_ack_retries 5
  ClientFlow f;
  rig.client_sends(f, kIsn, 0, kSyn, 64240);
  const auto token = rig.sockets().last_stream;
  rig.socket_event(token, {false, true, false});
  const auto first = rig.take();
  ASSERT_EQ(first.size(), 1u);
  const std::uint32_t iss = first[0].seq;
  // Resent after 1, 2, 4, 8, 16 s (RFC 6298 §5.5).
  for (const std::uint64_t wait : {1000u, 2000u, 4000u, 8000u, 16000u}) {
    SCOPED_TRACE(wait);
    rig.advance(wait - 1);
    EXPECT_TRUE(rig.take().empty());
    rig.advance(1);
    const auto out = rig.take();
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].flags, kSyn | kAck);
    EXPECT_EQ(out[0].seq, iss);
    EXPECT_EQ(out[0].ack, kIsn + 1);
  }
  rig.advance(31999);
  EXPECT_TRUE(rig.take().empty());
  rig.advance(1);
  const auto out = rig.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].flags, kRst | kAck);
  EXPECT_EQ(out[0].seq, iss + 1);
  EXPECT_EQ(out[0].ack, kIsn + 1);
  EXPECT_EQ(rig.tcp().connections(), 0u);
  EXPECT_TRUE(rig.sockets().records.at(token).aborted);
  EXPECT_EQ(rig.counters().tcp_expired, 1u);
  EXPECT_EQ(rig.counters().tcp_reset, 1u);
  EXPECT_EQ(rig.counters().tcp_opened, 0u);
}

TEST(Handshake, AckOfAnotherSequenceDoesNotCompleteTheHandshake) {
  StackRig rig;
  ClientFlow f;
  rig.client_sends(f, kIsn, 0, kSyn, 64240);
  const auto token = rig.sockets().last_stream;
  rig.socket_event(token, {false, true, false});
  const auto sa = rig.take();
  ASSERT_EQ(sa.size(), 1u);
  EXPECT_EQ(rig.client_sends(f, kIsn + 1, sa[0].seq + 2, kAck, 502), std::nullopt);
  EXPECT_EQ(rig.counters().dropped(stack::Drop::kOutOfWindow), 1u);
  EXPECT_EQ(rig.counters().tcp_opened, 0u);
  rig.client_sends(f, kIsn + 1, sa[0].seq + 1, kAck | kPsh, 502, pattern(10));
  EXPECT_EQ(rig.counters().tcp_opened, 1u);
  EXPECT_EQ(rig.sockets().streams.at(token)->received, pattern(10)) << "data on the completing ACK is taken";
}

}  // namespace

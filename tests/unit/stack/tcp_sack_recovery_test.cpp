// Loss recovery towards the client with SACK (stack/tcp_engine.h): after the third duplicate ACK
// only the holes between the blocks the client SACKed are resent, each once per recovery, new
// SACK information and partial ACKs resend the holes they reveal, and the timer still goes back
// to the first unacknowledged byte.
#include <optional>
#include <vector>

#include <gtest/gtest.h>

#include "stack/tcp_options.h"
#include "support/packet_builder.h"
#include "support/stack_rig.h"

namespace {

using namespace tbtest;
using stack::SackBlock;
constexpr std::uint16_t kMss = 1000;

// The SACK option of an ACK, blocks given as offsets from the first byte of our data.
Bytes sack_option(std::uint32_t base, const std::vector<std::pair<std::uint32_t, std::uint32_t>>& offsets) {
  std::vector<SackBlock> blocks;
  for (const auto& [l, r] : offsets) blocks.push_back({base + l, base + r});
  Bytes b(40);
  b.resize(stack::write_sack(blocks, b));
  return b;
}

// A connection with SACK permitted and MSS 1000 (no timestamps: a fixed RTO), and 8000 bytes from
// the server sent to the client as one super-packet.
struct Sent {
  StackRig rig;
  ClientFlow f;
  StackRig::Connection c;
  Bytes data = pattern(8000);
  std::uint32_t base = 0;  // the sequence number of data[0]

  Sent() : c(rig.open(f, kIsn, syn_options(kMss, std::nullopt, true, std::nullopt))) {
    base = c.iss + 1;
    c.socket->server_sends(data);
    rig.socket_event(c.token, {true, false, false});
    const auto out = rig.take();
    EXPECT_EQ(out.size(), 1u);
  }
  // An ACK of everything before `acked` (an offset into data), with SACK blocks.
  std::vector<TcpOut> ack(std::uint32_t acked,
                          const std::vector<std::pair<std::uint32_t, std::uint32_t>>& sacked = {}) {
    rig.client_sends(f, kIsn + 1, base + acked, kAck, 65535, {}, sacked.empty() ? Bytes{} : sack_option(base, sacked));
    return rig.take();
  }
  // The first two duplicates (nothing sent) and the third (its packets returned).
  std::vector<TcpOut> three_dupacks(std::uint32_t acked,
                                    const std::vector<std::pair<std::uint32_t, std::uint32_t>>& s) {
    for (int dup = 1; dup <= 2; ++dup) EXPECT_TRUE(ack(acked, s).empty()) << "duplicate " << dup;
    return ack(acked, s);
  }
};

TEST(SackRecovery, ThirdDuplicateAckResendsOnlyTheHole) {
  Sent s;
  EXPECT_TRUE(s.ack(1000).empty());
  const auto out = s.three_dupacks(1000, {{3000, 8000}});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].seq, s.base + 1000);
  EXPECT_EQ(out[0].payload, slice(s.data, 1000, 3000));
  EXPECT_EQ(s.rig.counters().retransmits_fast, 1u);
  EXPECT_EQ(s.rig.counters().holes_resent, 1u);
  EXPECT_EQ(s.c.socket->peek_offset(), 7000u) << "new data goes on after what was sent";
}

TEST(SackRecovery, EveryHoleBetweenSackedBlocksIsResentOnce) {
  Sent s;
  const auto out = s.three_dupacks(0, {{1000, 2000}, {3000, 4000}, {6000, 8000}});
  ASSERT_EQ(out.size(), 3u);
  const std::vector<std::pair<std::size_t, std::size_t>> holes{{0, 1000}, {2000, 3000}, {4000, 6000}};
  for (std::size_t i = 0; i < holes.size(); ++i) {
    EXPECT_EQ(out[i].seq, s.base + holes[i].first) << "hole " << i;
    EXPECT_EQ(out[i].payload, slice(s.data, holes[i].first, holes[i].second)) << "hole " << i;
  }
  EXPECT_TRUE(s.ack(0, {{1000, 2000}, {3000, 4000}, {6000, 8000}}).empty()) << "a fourth duplicate resends nothing";
  EXPECT_EQ(s.rig.counters().holes_resent, 3u);
}

TEST(SackRecovery, NewSackBlocksDuringRecoveryResendTheHolesTheyReveal) {
  Sent s;
  auto out = s.three_dupacks(0, {{1000, 2000}});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].payload, slice(s.data, 0, 1000));
  out = s.ack(0, {{5000, 6000}, {1000, 2000}});
  ASSERT_EQ(out.size(), 1u) << "the hole between the two blocks, once";
  EXPECT_EQ(out[0].seq, s.base + 2000);
  EXPECT_EQ(out[0].payload, slice(s.data, 2000, 5000));
  EXPECT_EQ(s.rig.counters().retransmits_fast, 1u) << "one recovery";
}

TEST(SackRecovery, PartialAckResendsTheNextHoleAndTheFullAckEndsTheRecovery) {
  Sent s;
  auto out = s.three_dupacks(0, {{1000, 2000}, {3000, 8000}});
  ASSERT_EQ(out.size(), 2u);
  // The first resend arrived, the second was lost again: the timer resends it, not the ACKs.
  out = s.ack(2000, {{3000, 8000}});
  EXPECT_TRUE(out.empty()) << "[2000, 3000) was resent in this recovery already";
  out = s.ack(8000);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(s.c.socket->unacknowledged(), 0u);
  // A later loss starts a new recovery.
  s.c.socket->server_sends(pattern(3000));
  s.rig.socket_event(s.c.token, {true, false, false});
  ASSERT_EQ(s.rig.take().size(), 1u);
  out = s.three_dupacks(8000, {{9000, 11000}});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].seq, s.base + 8000);
  EXPECT_EQ(s.rig.counters().retransmits_fast, 2u);
}

TEST(SackRecovery, PartialAckWithNothingSackedAboveGoesBack) {
  Sent s;
  auto out = s.three_dupacks(0, {{1000, 2000}});
  ASSERT_EQ(out.size(), 1u);
  out = s.ack(2000);  // the hole and the SACKed block are in; the rest of the flight is not
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].seq, s.base + 2000);
  EXPECT_EQ(out[0].payload, slice(s.data, 2000, 8000)) << "everything from snd_una again";
}

TEST(SackRecovery, TheTimerStillGoesBackToTheFirstUnacknowledgedByte) {
  Sent s;
  ASSERT_EQ(s.three_dupacks(0, {{1000, 8000}}).size(), 1u);
  s.rig.advance(1000);  // the resent hole was lost too
  const auto out = s.rig.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].seq, s.base);
  EXPECT_EQ(out[0].payload, s.data) << "a SACKed range may be reneged (RFC 2018 §8): everything again";
  EXPECT_EQ(s.rig.counters().retransmits_timeout, 1u);
}

TEST(SackRecovery, WithoutSackPermittedBlocksAreIgnoredAndTheThirdDuplicateGoesBack) {
  StackRig rig;
  ClientFlow f;
  const auto c = rig.open(f, kIsn, syn_options(kMss, std::nullopt, false, std::nullopt));
  const Bytes data = pattern(4000);
  c.socket->server_sends(data);
  rig.socket_event(c.token, {true, false, false});
  ASSERT_EQ(rig.take().size(), 1u);
  const Bytes sack = sack_option(c.iss + 1, {{2000, 4000}});
  for (int dup = 1; dup <= 2; ++dup) rig.client_sends(f, kIsn + 1, c.iss + 1, kAck, 65535, {}, sack);
  EXPECT_TRUE(rig.take().empty());
  rig.client_sends(f, kIsn + 1, c.iss + 1, kAck, 65535, {}, sack);
  const auto out = rig.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].payload, data);
  EXPECT_EQ(rig.counters().holes_resent, 0u);
}

}  // namespace

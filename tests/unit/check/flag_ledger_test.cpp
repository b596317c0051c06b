// TCP flag rules (check/flag_ledger.h): the forwarder read one super-packet with CWR and PSH;
// what it wrote either keeps the flags where the oracle's split puts them or does not.
#include "check/flag_ledger.h"

#include <vector>

#include <gtest/gtest.h>

#include "support/packet_builder.h"

namespace {

using packet::TcpHeader;
using tbtest::Bytes;

constexpr std::uint16_t kMss = 1000;

tbtest::PacketSpec spec(std::uint32_t seq, std::size_t payload, std::uint8_t flags) {
  tbtest::PacketSpec s;
  s.seq = seq;
  s.flags = flags;
  s.payload = tbtest::pattern(payload, seq);
  return s;
}

// The super-packet read: 3000 bytes from seq 1, ACK|PSH|CWR.
tbtest::GsoPacket input() {
  return tbtest::make_gso(spec(1, 3000, TcpHeader::kAckFlag | TcpHeader::kPsh | TcpHeader::kCwr), kMss);
}

// Three segments written, each with `flags(i)`.
template <class Flags>
std::vector<Bytes> written(Flags flags) {
  std::vector<Bytes> out;
  for (std::uint32_t i = 0; i < 3; ++i) out.push_back(tbtest::build(spec(1 + i * kMss, kMss, flags(i))));
  return out;
}

std::vector<std::string> judge(const std::vector<Bytes>& out) {
  check::FlagLedger ledger;
  const auto in = input();
  ledger.add_input(in.header, in.bytes);
  for (const auto& p : out) ledger.add_output({}, p);
  ledger.finish();
  return ledger.violations();
}

constexpr std::uint8_t kAck = TcpHeader::kAckFlag;

TEST(TcpFlags, SegmentsAsTheOracleSplitsThemPass) {
  const auto v = judge(written([](std::uint32_t i) {
    return static_cast<std::uint8_t>(kAck | (i == 0 ? TcpHeader::kCwr : 0) | (i == 2 ? TcpHeader::kPsh : 0));
  }));
  EXPECT_TRUE(v.empty()) << v.front();
}

TEST(TcpFlags, TheSameSuperPacketWrittenWholePasses) {
  check::FlagLedger ledger;
  const auto in = input();
  ledger.add_input(in.header, in.bytes);
  ledger.add_output(in.header, in.bytes);
  ledger.finish();
  EXPECT_TRUE(ledger.violations().empty());
  EXPECT_EQ(ledger.output_segments(), 3u);
}

TEST(TcpFlags, CwrOnEverySegmentFails) {
  const auto v = judge(written([](std::uint32_t i) {
    return static_cast<std::uint8_t>(kAck | TcpHeader::kCwr | (i == 2 ? TcpHeader::kPsh : 0));
  }));
  ASSERT_EQ(v.size(), 2u);
  EXPECT_NE(v[0].find("CWR on TCP"), std::string::npos) << v[0];
  EXPECT_NE(v[0].find("seq 1001"), std::string::npos) << v[0];
}

TEST(TcpFlags, PshOnEverySegmentFails) {
  const auto v = judge(written([](std::uint32_t i) {
    return static_cast<std::uint8_t>(kAck | TcpHeader::kPsh | (i == 0 ? TcpHeader::kCwr : 0));
  }));
  ASSERT_EQ(v.size(), 2u);
  EXPECT_NE(v[0].find("PSH on TCP"), std::string::npos) << v[0];
}

TEST(TcpFlags, CwrDroppedFromTheFirstSegmentFails) {
  const auto v =
      judge(written([](std::uint32_t i) { return static_cast<std::uint8_t>(kAck | (i == 2 ? TcpHeader::kPsh : 0)); }));
  ASSERT_EQ(v.size(), 1u);
  EXPECT_NE(v[0].find("written without it"), std::string::npos) << v[0];
}

TEST(TcpFlags, AFlowNeverReadIsNotJudged) {
  check::FlagLedger ledger;
  ledger.add_output({}, tbtest::build(spec(1, 100, kAck | TcpHeader::kCwr)));
  ledger.finish();
  EXPECT_TRUE(ledger.violations().empty());
  EXPECT_EQ(ledger.output_segments(), 1u);
}

}  // namespace

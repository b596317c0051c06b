// The gso-* cases' super-packets (check/crafted_super_packets.h): each is one the kernel accepts
// with its virtio-net header, and the offload engine's cut of it gives segments that fit the MTU,
// each with exactly the tag of its own index and the flags a split must give it.
#include "check/crafted_super_packets.h"

#include <gtest/gtest.h>

#include "check/engine_cut.h"
#include "packet/ip_packet.h"
#include "packet/tcp_header.h"
#include "support/packet_builder.h"

// A named namespace: the unity build puts this file beside the other check tests.
namespace crafted_super_packets_test {

using packet::TcpHeader;

constexpr std::uint16_t kPort = 5500;
constexpr std::size_t kMtu = 1500;

check::CraftedEnds ends() { return {"10.0.1.1", "10.0.2.1", "fd00:1::1", "fd00:2::1", kPort}; }

// Cuts every super-packet and checks what every split must hold; returns the segments in order.
std::vector<std::vector<std::uint8_t>> cut_all(const std::vector<check::CraftedSuperPacket>& supers,
                                               std::uint16_t first_index) {
  std::vector<std::vector<std::uint8_t>> all;
  std::uint16_t index = first_index;
  for (const auto& s : supers) {
    EXPECT_FALSE(vnet::validate(s.vnet, s.bytes.size()).has_value()) << s.name << ": " << vnet::describe(s.vnet);
    const auto segments = check::engine_cut(s.vnet, s.bytes);
    EXPECT_EQ(segments.size(), s.segment_names.size()) << s.name;
    EXPECT_GE(segments.size(), 2u) << s.name << ": a super-packet of one segment splits nothing";
    for (const auto& seg : segments) {
      EXPECT_LE(seg.size(), kMtu) << s.name;
      EXPECT_TRUE(tbtest::l4_checksum_ok(seg)) << s.name;
      EXPECT_EQ(check::tags_in(seg, kPort), std::vector<std::uint16_t>{index}) << s.name;
      ++index;
      all.push_back(seg);
    }
  }
  return all;
}

class TcpSuperPackets : public ::testing::TestWithParam<int> {};

TEST_P(TcpSuperPackets, SplitIntoTaggedSegmentsWithCwrFirstAndPshFinLast) {
  const auto supers = check::tcp_super_packets(ends(), GetParam(), kMtu, 7);
  ASSERT_EQ(supers.size(), 3u);
  cut_all(supers, 7);
  // The first shape sets CWR, ECE, PSH and FIN on the super-packet.
  const auto segments = check::engine_cut(supers[0].vnet, supers[0].bytes);
  ASSERT_EQ(segments.size(), 8u);
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const auto parsed = packet::parse_ip(segments[i]);
    ASSERT_TRUE(parsed.ok);
    const auto flags = packet::ConstTcpHeader(std::span(segments[i]).subspan(parsed.layers.l4_offset)).flags();
    EXPECT_EQ((flags & TcpHeader::kCwr) != 0, i == 0) << "segment " << i;
    EXPECT_EQ((flags & (TcpHeader::kPsh | TcpHeader::kFin)) != 0, i + 1 == segments.size()) << "segment " << i;
    EXPECT_NE(flags & TcpHeader::kEce, 0) << "segment " << i;
    EXPECT_EQ(segments[i].size(), kMtu) << "every segment of the first shape is full";
  }
}

INSTANTIATE_TEST_SUITE_P(IpVersions, TcpSuperPackets, ::testing::Values(4, 6));

TEST(UdpSuperPackets, SplitIntoTaggedDatagramsUpToTheSixtyFourOneWriteMayCarry) {
  const auto supers = check::udp_super_packets(ends(), kMtu, 0);
  ASSERT_EQ(supers.size(), 4u);
  const auto segments = cut_all(supers, 0);
  std::size_t largest = 0;
  for (const auto& s : supers) largest = std::max(largest, s.segment_names.size());
  EXPECT_EQ(largest, vnet::kUdpMaxSegments);
  EXPECT_EQ(segments.front().size(), kMtu);
}

}  // namespace crafted_super_packets_test

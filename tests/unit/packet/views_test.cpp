// Typed header views: every setter is read back by its accessor at the RFC offset, and
// read-only views see the same bytes.
#include <array>
#include <cstdint>
#include <vector>

#include <gtest/gtest.h>

#include "packet/bytes.h"
#include "packet/ipv4_header.h"
#include "packet/ipv6_header.h"
#include "packet/tcp_header.h"
#include "packet/udp_header.h"

namespace packet {
namespace {

TEST(Bytes, BigAndLittleEndianLoadsAndStores) {
  std::array<std::uint8_t, 4> b{};
  store_be16(b.data(), 0x1234);
  EXPECT_EQ(b[0], 0x12);
  EXPECT_EQ(b[1], 0x34);
  EXPECT_EQ(load_be16(b.data()), 0x1234);
  store_be32(b.data(), 0xA1B2C3D4);
  EXPECT_EQ(b, (std::array<std::uint8_t, 4>{0xA1, 0xB2, 0xC3, 0xD4}));
  EXPECT_EQ(load_be32(b.data()), 0xA1B2C3D4u);
  store_le16(b.data(), 0x1234);
  EXPECT_EQ(b[0], 0x34);
  EXPECT_EQ(b[1], 0x12);
  EXPECT_EQ(load_le16(b.data()), 0x1234);
}

// The IPv4 header of the Wikipedia checksum example: checksum 0xb1e6.
constexpr std::array<std::uint8_t, 20> kIpv4{0x45, 0x00, 0x00, 0x3c, 0x1c, 0x46, 0x40, 0x00, 0x40, 0x06,
                                             0xb1, 0xe6, 0xac, 0x10, 0x0a, 0x63, 0xac, 0x10, 0x0a, 0x0c};

TEST(Ipv4Header, AccessorsReadWireOffsets) {
  const ConstIpv4Header ip(kIpv4);
  EXPECT_TRUE(ConstIpv4Header::fits(kIpv4));
  EXPECT_FALSE(ConstIpv4Header::fits(std::span(kIpv4).first(19)));
  EXPECT_EQ(ip.version(), 4);
  EXPECT_EQ(ip.ihl(), 5);
  EXPECT_EQ(ip.header_length(), 20u);
  EXPECT_EQ(ip.tos(), 0);
  EXPECT_EQ(ip.total_length(), 60);
  EXPECT_EQ(ip.id(), 0x1c46);
  EXPECT_EQ(ip.flags_fragment(), ConstIpv4Header::kFlagDF);
  EXPECT_FALSE(ip.more_fragments());
  EXPECT_EQ(ip.fragment_offset(), 0);
  EXPECT_FALSE(ip.is_fragment());
  EXPECT_EQ(ip.ttl(), 64);
  EXPECT_EQ(ip.protocol(), kProtoTcp);
  EXPECT_EQ(ip.checksum(), 0xb1e6);
  EXPECT_EQ(ip.src()[0], 0xac);
  EXPECT_EQ(ip.dst()[3], 0x0c);
  EXPECT_TRUE(ip.options().empty());
  EXPECT_TRUE(ip.checksum_valid());
  EXPECT_EQ(ip.compute_checksum(), 0xb1e6);
  EXPECT_EQ(ip.data(), kIpv4.data());
  EXPECT_EQ(ip.bytes().size(), 20u);
}

TEST(Ipv4Header, SettersRoundTripAndChecksumFollows) {
  std::array<std::uint8_t, 24> b{};
  Ipv4Header ip(b);
  ip.set_version_ihl(4, 6);
  ip.set_tos(0xb8);
  ip.set_total_length(1500);
  ip.set_id(0xBEEF);
  ip.set_flags_fragment(Ipv4Header::kFlagMF | 0x0123);
  ip.set_ttl(17);
  ip.set_protocol(kProtoUdp);
  ip.src()[0] = 192;
  ip.dst()[0] = 10;
  ip.options()[0] = 0x94;
  ip.update_checksum();
  EXPECT_EQ(ip.version(), 4);
  EXPECT_EQ(ip.header_length(), 24u);
  EXPECT_EQ(ip.options().size(), 4u);
  EXPECT_EQ(ip.tos(), 0xb8);
  EXPECT_EQ(ip.total_length(), 1500);
  EXPECT_EQ(ip.id(), 0xBEEF);
  EXPECT_TRUE(ip.more_fragments());
  EXPECT_EQ(ip.fragment_offset(), 0x0123);
  EXPECT_TRUE(ip.is_fragment());
  EXPECT_EQ(ip.ttl(), 17);
  EXPECT_EQ(ip.protocol(), kProtoUdp);
  EXPECT_EQ(b[12], 192);
  EXPECT_EQ(b[16], 10);
  EXPECT_EQ(b[20], 0x94);
  EXPECT_TRUE(ip.checksum_valid());  // checksum covers the options too
  b[20] = 0x95;
  EXPECT_FALSE(ip.checksum_valid());
  ip.set_checksum(0x1234);
  EXPECT_EQ(ip.checksum(), 0x1234);
}

TEST(Ipv4Header, FragmentOffsetAloneIsAFragment) {
  std::array<std::uint8_t, 20> b = kIpv4;
  Ipv4Header ip(b);
  ip.set_flags_fragment(0x0001);
  EXPECT_FALSE(ip.more_fragments());
  EXPECT_TRUE(ip.is_fragment());
}

TEST(Ipv6Header, SettersRoundTrip) {
  std::array<std::uint8_t, 40> b{};
  Ipv6Header ip(b);
  EXPECT_TRUE(Ipv6Header::fits(b));
  EXPECT_FALSE(Ipv6Header::fits(std::span(b).first(39)));
  ip.set_version_class_flow(0xAB, 0x12345);
  ip.set_payload_length(1460);
  ip.set_next_header(kProtoDestOpts);
  ip.set_hop_limit(255);
  ip.src()[15] = 1;
  ip.dst()[15] = 2;
  EXPECT_EQ(b[0], 0x6A);
  EXPECT_EQ(b[1], 0xB1);
  const ConstIpv6Header c(b);
  EXPECT_EQ(c.version(), 6);
  EXPECT_EQ(c.traffic_class(), 0xAB);
  EXPECT_EQ(c.flow_label(), 0x12345u);
  EXPECT_EQ(c.payload_length(), 1460);
  EXPECT_EQ(c.next_header(), kProtoDestOpts);
  EXPECT_EQ(c.hop_limit(), 255);
  EXPECT_EQ(b[23], 1);
  EXPECT_EQ(b[39], 2);
  EXPECT_EQ(c.src()[15], 1);
  EXPECT_EQ(c.dst()[15], 2);
}

TEST(Ipv6Header, FlowLabelIsMaskedTo20Bits) {
  std::array<std::uint8_t, 40> b{};
  Ipv6Header ip(b);
  ip.set_version_class_flow(0, 0xFFFFFFFF);
  EXPECT_EQ(ip.version(), 6);
  EXPECT_EQ(ip.traffic_class(), 0);
  EXPECT_EQ(ip.flow_label(), 0xFFFFFu);
}

TEST(TcpHeader, SettersRoundTrip) {
  std::vector<std::uint8_t> b(32, 0);
  b[12] = 0x0F;  // reserved low nibble must survive set_data_offset
  TcpHeader t(b);
  t.set_src_port(443);
  t.set_dst_port(51000);
  t.set_seq(0xFFFFFFF0);
  t.set_ack(0x01020304);
  t.set_data_offset(8);
  t.set_flags(TcpHeader::kAckFlag | TcpHeader::kPsh);
  t.set_window(65535);
  t.set_checksum(0xABCD);
  t.set_urgent(7);
  const ConstTcpHeader c(b);
  EXPECT_TRUE(ConstTcpHeader::fits(b));
  EXPECT_FALSE(ConstTcpHeader::fits(std::span<const std::uint8_t>(b).first(19)));
  EXPECT_EQ(c.src_port(), 443);
  EXPECT_EQ(c.dst_port(), 51000);
  EXPECT_EQ(c.seq(), 0xFFFFFFF0u);
  EXPECT_EQ(c.ack(), 0x01020304u);
  EXPECT_EQ(c.data_offset(), 8);
  EXPECT_EQ(b[12], 0x8F);
  EXPECT_EQ(c.reserved_bits(), 0x0F);
  EXPECT_EQ(c.header_length(), 32u);
  EXPECT_EQ(c.options().size(), 12u);
  EXPECT_EQ(c.flags(), TcpHeader::kAckFlag | TcpHeader::kPsh);
  EXPECT_EQ(b[13], 0x18);
  EXPECT_EQ(c.window(), 65535);
  EXPECT_EQ(c.checksum(), 0xABCD);
  EXPECT_EQ(b[16], 0xAB);
  EXPECT_EQ(c.urgent(), 7);
}

TEST(TcpHeader, FlagBitsMatchRfc9293) {
  EXPECT_EQ(TcpHeader::kFin, 0x01);
  EXPECT_EQ(TcpHeader::kSyn, 0x02);
  EXPECT_EQ(TcpHeader::kRst, 0x04);
  EXPECT_EQ(TcpHeader::kPsh, 0x08);
  EXPECT_EQ(TcpHeader::kAckFlag, 0x10);
  EXPECT_EQ(TcpHeader::kUrg, 0x20);
  EXPECT_EQ(TcpHeader::kEce, 0x40);
  EXPECT_EQ(TcpHeader::kCwr, 0x80);
  EXPECT_EQ(TcpHeader::kChecksumOffset, 16u);
}

TEST(UdpHeader, SettersRoundTrip) {
  std::array<std::uint8_t, 8> b{};
  UdpHeader u(b);
  u.set_src_port(53);
  u.set_dst_port(5353);
  u.set_length(1480);
  u.set_checksum(0xFFFF);
  const ConstUdpHeader c(b);
  EXPECT_TRUE(ConstUdpHeader::fits(b));
  EXPECT_FALSE(ConstUdpHeader::fits(std::span(b).first(7)));
  EXPECT_EQ(c.src_port(), 53);
  EXPECT_EQ(c.dst_port(), 5353);
  EXPECT_EQ(c.length(), 1480);
  EXPECT_EQ(c.checksum(), 0xFFFF);
  EXPECT_EQ(b, (std::array<std::uint8_t, 8>{0, 53, 0x14, 0xE9, 0x05, 0xC8, 0xFF, 0xFF}));
  EXPECT_EQ(UdpHeader::kChecksumOffset, 6u);
}

}  // namespace
}  // namespace packet

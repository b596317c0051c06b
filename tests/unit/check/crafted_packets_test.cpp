// The crafted cases' packets (check/crafted_packets.h): each is a well-formed packet of the
// shape its case promises (options, extension headers, echo, the one wrong checksum, runs whose
// neighbours differ in the field named), addressed client → server, with its tag.
#include "check/crafted_packets.h"

#include <gtest/gtest.h>

#include "packet/checksum.h"
#include "packet/encode.h"
#include "packet/ip_packet.h"
#include "packet/ipv4_header.h"
#include "packet/ipv6_header.h"
#include "packet/tcp_header.h"
#include "support/packet_builder.h"

namespace {

using check::CraftedPacket;

check::CraftedEnds ends() { return {"10.0.1.1", "10.0.2.1", "fd00:1::1", "fd00:2::1", 5400}; }

// The tags of a case's packets are its port and their numbers, in order, one each.
void expect_tagged(const std::vector<CraftedPacket>& packets) {
  for (std::size_t i = 0; i < packets.size(); ++i) {
    const auto tags = check::tags_in(packets[i].bytes, 5400);
    ASSERT_EQ(tags.size(), 1u) << packets[i].name;
    EXPECT_EQ(tags[0], i) << packets[i].name;
    EXPECT_TRUE(check::tags_in(packets[i].bytes, 5401).empty());
  }
}

// Client → server, and the destination port is the case's.
void expect_addressed(const CraftedPacket& p) {
  const auto parsed = packet::parse_ip(p.bytes);
  ASSERT_TRUE(parsed.ok) << p.name;
  const auto& l = parsed.layers;
  if (l.version == 4) {
    EXPECT_EQ(std::vector<std::uint8_t>(l.dst.begin(), l.dst.end()), (std::vector<std::uint8_t>{10, 0, 2, 1}));
    EXPECT_EQ(std::vector<std::uint8_t>(l.src.begin(), l.src.end()), (std::vector<std::uint8_t>{10, 0, 1, 1}));
  } else {
    EXPECT_EQ(l.dst[0], 0xfd);
    EXPECT_EQ(l.dst[3], 2);
    EXPECT_EQ(l.dst[15], 1);
  }
  if (l.l4_protocol == packet::kProtoTcp || l.l4_protocol == packet::kProtoUdp) {
    EXPECT_EQ(packet::load_be16(p.bytes.data() + l.l4_offset + 2), 5400) << p.name;
  }
}

TEST(CraftedPackets, Ipv4OptionsMakeIhlNineAndEightWithValidChecksums) {
  const auto packets = check::ipv4_options_packets(ends());
  ASSERT_EQ(packets.size(), 4u);
  expect_tagged(packets);
  const std::uint8_t ihl[] = {9, 9, 8, 8};
  for (std::size_t i = 0; i < packets.size(); ++i) {
    const auto& p = packets[i];
    expect_addressed(p);
    const packet::ConstIpv4Header ip(p.bytes);
    EXPECT_EQ(ip.ihl(), ihl[i]) << p.name;
    EXPECT_EQ(ip.options()[0], 1) << "NOP first";
    EXPECT_EQ(ip.options()[1], i < 2 ? 68 : 7) << p.name;
    EXPECT_EQ(ip.total_length(), p.bytes.size());
    EXPECT_TRUE(tbtest::ipv4_checksum_ok(p.bytes)) << p.name;
    EXPECT_TRUE(tbtest::l4_checksum_ok(p.bytes)) << p.name;
    EXPECT_EQ(packet::parse_ip(p.bytes).layers.l4_protocol, i % 2 ? packet::kProtoTcp : packet::kProtoUdp);
  }
}

TEST(CraftedPackets, Ipv6ExtensionHeadersChainToTheL4Header) {
  const auto packets = check::ipv6_extension_packets(ends());
  ASSERT_EQ(packets.size(), 6u);
  expect_tagged(packets);
  const std::size_t l4_offsets[] = {48, 48, 56, 56, 56, 56};
  for (std::size_t i = 0; i < packets.size(); ++i) {
    const auto& p = packets[i];
    expect_addressed(p);
    const auto parsed = packet::parse_ip(p.bytes);
    ASSERT_TRUE(parsed.ok) << p.name;
    EXPECT_TRUE(parsed.layers.ipv6_has_ext) << p.name;
    EXPECT_EQ(parsed.layers.l4_offset, l4_offsets[i]) << p.name;
    EXPECT_EQ(p.bytes[6], i < 4 ? packet::kProtoHopByHop : packet::kProtoDestOpts) << p.name;
    EXPECT_EQ(packet::ConstIpv6Header(p.bytes).payload_length(), p.bytes.size() - 40);
    EXPECT_TRUE(tbtest::l4_checksum_ok(p.bytes)) << p.name;
  }
}

TEST(CraftedPackets, EchoRequestsCarryValidChecksumsUpToTheMtu) {
  const auto packets = check::echo_requests(ends(), 1500);
  ASSERT_EQ(packets.size(), 8u);
  expect_tagged(packets);
  for (const auto& p : packets) {
    expect_addressed(p);
    const auto parsed = packet::parse_ip(p.bytes);
    ASSERT_TRUE(parsed.ok);
    const auto& l = parsed.layers;
    const auto message = std::span<const std::uint8_t>(p.bytes).subspan(l.l4_offset);
    if (l.version == 4) {
      EXPECT_EQ(l.l4_protocol, packet::kProtoIcmp);
      EXPECT_EQ(message[0], 8);
      EXPECT_TRUE(tbtest::ipv4_checksum_ok(p.bytes));
      EXPECT_TRUE(packet::sum_verifies(packet::sum_bytes(message)));
    } else {
      EXPECT_EQ(l.l4_protocol, packet::kProtoIcmpv6);
      EXPECT_EQ(message[0], 128);
      const auto pseudo = packet::pseudo_header_sum(l, static_cast<std::uint32_t>(message.size()));
      EXPECT_TRUE(packet::sum_verifies(packet::sum_bytes(message, pseudo)));
    }
  }
  EXPECT_EQ(packets[3].bytes.size(), 1500u) << "the largest IPv4 echo fills the MTU";
  EXPECT_EQ(packets[7].bytes.size(), 1500u) << "the largest IPv6 echo fills the MTU";
  EXPECT_EQ(packets[0].bytes.size(), 20u + 8 + 8) << "the smallest carries the tag alone";
}

TEST(CraftedPackets, BadChecksumsAreWrongInExactlyOneField) {
  const auto packets = check::bad_checksum_packets(ends());
  ASSERT_EQ(packets.size(), 5u);
  expect_tagged(packets);
  for (std::size_t i = 0; i < 4; ++i) {
    expect_addressed(packets[i]);
    EXPECT_FALSE(tbtest::l4_checksum_ok(packets[i].bytes)) << packets[i].name;
    EXPECT_TRUE(tbtest::ipv4_checksum_ok(packets[i].bytes)) << packets[i].name;
    // Repairing the L4 checksum is the only change that makes it valid.
    auto fixed = packets[i].bytes;
    ASSERT_TRUE(tbtest::refresh_l4_checksum(fixed));
    EXPECT_NE(fixed, packets[i].bytes);
  }
  const auto& header = packets[4];
  EXPECT_FALSE(tbtest::ipv4_checksum_ok(header.bytes));
  EXPECT_TRUE(tbtest::l4_checksum_ok(header.bytes));
}

TEST(CraftedPackets, RunsDifferBetweenNeighboursInTheNamedField) {
  const auto packets = check::uncoalescable_runs(ends());
  ASSERT_EQ(packets.size(), 28u);
  expect_tagged(packets);
  for (std::size_t run = 0; run < 7; ++run) {
    for (std::size_t i = 0; i < 4; ++i) {
      const auto& p = packets[run * 4 + i];
      expect_addressed(p);
      EXPECT_TRUE(tbtest::l4_checksum_ok(p.bytes)) << p.name;
      EXPECT_TRUE(tbtest::ipv4_checksum_ok(p.bytes)) << p.name;
      const auto l = packet::parse_ip(p.bytes).layers;
      const packet::ConstTcpHeader tcp(std::span<const std::uint8_t>(p.bytes).subspan(l.l4_offset));
      EXPECT_EQ(tcp.seq(), 1000 + i * 200) << p.name;
      EXPECT_EQ(p.bytes.size() - l.l4_offset - tcp.header_length(), 200u);
      // The PSH segment may end a run with the one before it (offload.md §6.10), and the two after
      // it may form a run of their own: only the one right after PSH must stay apart.
      if (i == 0 || (run == 3 && i != 2)) continue;
      // One flow per run: the same ports as the previous segment, yet not mergeable with it.
      const auto& prev = packets[run * 4 + i - 1];
      EXPECT_EQ(packet::load_be16(prev.bytes.data() + l.l4_offset), tcp.src_port());
      const bool v4 = l.version == 4;
      const packet::ConstIpv4Header a(prev.bytes), b(p.bytes);
      const bool differs =
          v4 ? (a.ttl() != b.ttl() || a.tos() != b.tos() || b.id() != a.id() + 1 ||
                (packet::ConstTcpHeader(std::span<const std::uint8_t>(prev.bytes).subspan(20)).flags() &
                 packet::TcpHeader::kPsh))
             : !std::equal(prev.bytes.begin(), prev.bytes.begin() + 8, p.bytes.begin());
      EXPECT_TRUE(differs) << p.name << " could merge with the segment before it";
    }
  }
  EXPECT_NE(packets[0].bytes[21], packets[4].bytes[21]) << "each run is a flow of its own (source port)";
}

TEST(CraftedPackets, TagsAreFoundWhereverTheyAre) {
  std::vector<std::uint8_t> bytes(50, 0);
  const auto a = check::crafted_tag(7, 3), b = check::crafted_tag(7, 9), other = check::crafted_tag(8, 1);
  std::copy(a.begin(), a.end(), bytes.begin() + 1);
  std::copy(other.begin(), other.end(), bytes.begin() + 15);
  std::copy(b.begin(), b.end(), bytes.begin() + 42);
  EXPECT_EQ(check::tags_in(bytes, 7), (std::vector<std::uint16_t>{3, 9}));
  EXPECT_EQ(check::tags_in(bytes, 8), (std::vector<std::uint16_t>{1}));
  EXPECT_TRUE(check::tags_in(std::span(bytes).first(48), 7).size() == 1) << "a cut-off tag is no tag";
}

// The builder's own additions: options and extension headers of the wrong size are refused.
TEST(CraftedPackets, TheEncoderRefusesMalformedOptionsAndExtensionHeaders) {
  packet::IpFields ip;
  const std::uint8_t three[3] = {1, 1, 1};
  ip.ipv4_options = three;
  EXPECT_EQ(packet::ip_headers_size(ip), 0u);
  std::vector<std::uint8_t> out(100);
  EXPECT_EQ(packet::encode_udp(out, ip, {1, 2}, 0, packet::L4Checksum::kFull), 0u);
  ip.version = 6;
  const std::uint8_t five[5] = {};
  const packet::Ipv6Extension bad[1] = {{packet::kProtoDestOpts, five}};
  ip.ipv6_extensions = bad;
  EXPECT_EQ(packet::ip_headers_size(ip), 0u);
  EXPECT_EQ(packet::encode_tcp(out, ip, {}, 0, packet::L4Checksum::kFull), 0u);
}

}  // namespace

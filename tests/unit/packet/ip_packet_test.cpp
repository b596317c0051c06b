#include "packet/ip_packet.h"

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "packet/bytes.h"
#include "packet/checksum.h"
#include "packet/view.h"
#include "support/test_names.h"

namespace packet {
namespace {

using Bytes = std::vector<std::uint8_t>;

// IPv4 header (IHL from `options`) + `l4` bytes of zero; total length matches.
Bytes ipv4(std::size_t l4, std::size_t options = 0, std::uint8_t proto = kProtoTcp) {
  Bytes b(20 + options + l4, 0);
  b[0] = static_cast<std::uint8_t>(0x40 | ((20 + options) / 4));
  store_be16(&b[2], static_cast<std::uint16_t>(b.size()));
  b[9] = proto;
  for (int i = 0; i < 4; ++i)
    b[12 + i] = static_cast<std::uint8_t>(10 + i), b[16 + i] = static_cast<std::uint8_t>(20 + i);
  return b;
}

// IPv6 header + extension headers of the given {type, size} + `l4` bytes; lengths match.
Bytes ipv6(std::size_t l4, const std::vector<std::pair<std::uint8_t, std::size_t>>& ext = {},
           std::uint8_t proto = kProtoUdp) {
  std::size_t n = 40 + l4;
  for (const auto& e : ext) n += e.second;
  Bytes b(n, 0);
  b[0] = 0x60;
  store_be16(&b[4], static_cast<std::uint16_t>(n - 40));
  b[8] = 0xfd;
  b[24] = 0xfe;
  std::size_t next_field = 6, off = 40;
  for (const auto& [type, size] : ext) {
    b[next_field] = type;
    b[off + 1] = static_cast<std::uint8_t>(size / 8 - 1);
    next_field = off;
    off += size;
  }
  b[next_field] = proto;
  return b;
}

struct ParseCase {
  std::string name;
  Bytes packet;
  std::optional<IpParseError> error;  // nullopt: parses
  std::size_t l4_offset = 0;
  std::uint8_t l4_protocol = 0;
  bool ext = false;
};

Bytes with(Bytes b, std::size_t at, std::uint8_t v) {
  b[at] = v;
  return b;
}
Bytes resized(Bytes b, std::size_t n) {
  b.resize(n);
  return b;
}

std::vector<ParseCase> parse_cases() {
  return {
      {"EmptyIsVersionError", {}, IpParseError::kVersion},
      {"Version5", with(ipv4(20), 0, 0x55), IpParseError::kVersion},
      {"Version0", Bytes(40, 0), IpParseError::kVersion},
      {"Ipv4Shorter20", resized(ipv4(0), 19), IpParseError::kIpv4Header},
      {"Ipv4IhlBelow5", with(ipv4(20), 0, 0x44), IpParseError::kIpv4Header},
      {"Ipv4IhlBeyondPacket", with(ipv4(0), 0, 0x46), IpParseError::kIpv4Header},
      {"Ipv4TotalLengthShort", with(ipv4(20), 3, 39), IpParseError::kIpv4Length},
      {"Ipv4TotalLengthLong", with(ipv4(20), 3, 41), IpParseError::kIpv4Length},
      {"Ipv4MoreFragments", with(ipv4(20), 6, 0x20), IpParseError::kIpv4Fragment},
      {"Ipv4FragmentOffset", with(ipv4(20), 7, 0x01), IpParseError::kIpv4Fragment},
      {"Ipv4DontFragmentIsFine", with(ipv4(20), 6, 0x40), std::nullopt, 20, kProtoTcp},
      {"Ipv4Plain", ipv4(20), std::nullopt, 20, kProtoTcp},
      {"Ipv4WithOptions", ipv4(8, 8, kProtoUdp), std::nullopt, 28, kProtoUdp},
      {"Ipv4MaxIhl", ipv4(0, 40), std::nullopt, 60, kProtoTcp},
      {"Ipv6Shorter40", resized(ipv6(0), 39), IpParseError::kIpv6Length},
      {"Ipv6PayloadLengthMismatch", with(ipv6(8), 5, 9), IpParseError::kIpv6Length},
      {"Ipv6Plain", ipv6(8), std::nullopt, 40, kProtoUdp},
      {"Ipv6NoL4", ipv6(0), std::nullopt, 40, kProtoUdp},
      {"Ipv6HopByHopRoutingDestOpts",
       ipv6(20, {{kProtoHopByHop, 8}, {kProtoRouting, 24}, {kProtoDestOpts, 16}}, kProtoTcp), std::nullopt, 88,
       kProtoTcp, true},
      {"Ipv6FragmentFirst", ipv6(8, {{kProtoFragment, 8}}), IpParseError::kIpv6Fragment},
      {"Ipv6FragmentAfterHopByHop", ipv6(8, {{kProtoHopByHop, 8}, {kProtoFragment, 8}}), IpParseError::kIpv6Fragment},
      {"Ipv6LongerThanPayloadLength", resized(with(ipv6(0), 6, kProtoDestOpts), 44), IpParseError::kIpv6Length},
      {"Ipv6ExtHeaderFixedPartTruncated",
       [] {
         Bytes b = ipv6(4);
         b[6] = kProtoDestOpts;  // 4 bytes after the fixed header: less than 8
         return b;
       }(),
       IpParseError::kIpv6ExtHeader},
      {"Ipv6ExtHeaderLengthBeyondPacket", with(ipv6(0, {{kProtoDestOpts, 8}}), 41, 1), IpParseError::kIpv6ExtHeader},
      {"Ipv6UnknownNextHeaderIsL4", ipv6(4, {}, 59), std::nullopt, 40, 59},
  };
}

class ParseIp : public ::testing::TestWithParam<ParseCase> {};

TEST_P(ParseIp, ResultMatchesTable) {
  const ParseCase& c = GetParam();
  const IpParseResult r = parse_ip(c.packet);
  EXPECT_EQ(r.ok, !c.error.has_value());
  if (c.error) {
    EXPECT_EQ(r.error, *c.error) << to_string(r.error);
    return;
  }
  EXPECT_EQ(r.layers.l4_offset, c.l4_offset);
  EXPECT_EQ(r.layers.l4_protocol, c.l4_protocol);
  EXPECT_EQ(r.layers.ipv6_has_ext, c.ext);
  EXPECT_EQ(r.layers.version, c.packet[0] >> 4);
  const std::size_t addr = r.layers.version == 4 ? 4 : 16;
  ASSERT_EQ(r.layers.src.size(), addr);
  ASSERT_EQ(r.layers.dst.size(), addr);
  EXPECT_EQ(r.layers.src.data(), c.packet.data() + (addr == 4 ? 12 : 8));
  EXPECT_EQ(r.layers.dst.data(), c.packet.data() + (addr == 4 ? 16 : 24));
}

// A packet whose payload lies elsewhere (parse_ip(head, length)): given its headers and its
// length, the same verdict as the whole packet; one byte fewer of length is a length error.
TEST_P(ParseIp, HeadersAndLengthAloneGiveTheSameResult) {
  const ParseCase& c = GetParam();
  const std::span<const std::uint8_t> whole(c.packet);
  const IpParseResult want = parse_ip(whole);
  const std::size_t headers = want.ok ? want.layers.l4_offset : whole.size();
  const IpParseResult r = parse_ip(whole.first(headers), whole.size());
  EXPECT_EQ(r.ok, want.ok);
  EXPECT_EQ(r.error, want.error);
  if (!want.ok) return;
  EXPECT_EQ(r.layers.l4_offset, want.layers.l4_offset);
  EXPECT_EQ(r.layers.l4_protocol, want.layers.l4_protocol);
  EXPECT_EQ(r.layers.ipv6_has_ext, want.layers.ipv6_has_ext);
  const IpParseResult shorter = parse_ip(whole.first(headers), whole.size() - 1);
  EXPECT_FALSE(shorter.ok);
  EXPECT_EQ(shorter.error, want.layers.version == 4 ? IpParseError::kIpv4Length : IpParseError::kIpv6Length);
  if (want.layers.ipv6_has_ext) {  // an extension header cut off by the head is an error, not a read past it
    EXPECT_EQ(parse_ip(whole.first(headers - 1), whole.size()).error, IpParseError::kIpv6ExtHeader);
  }
}

INSTANTIATE_TEST_SUITE_P(Packet, ParseIp, ::testing::ValuesIn(parse_cases()), tbtest::case_name);

TEST(ParseIp, ErrorDescriptionsAreDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i <= static_cast<int>(IpParseError::kIpv6Fragment); ++i)
    EXPECT_TRUE(seen.insert(to_string(static_cast<IpParseError>(i))).second);
  EXPECT_STREQ(to_string(static_cast<IpParseError>(200)), "IP header invalid");
}

TEST(ParseIp, PseudoHeaderSumUsesParsedAddressesAndProtocol) {
  const Bytes v4 = ipv4(20);
  const IpParseResult r4 = parse_ip(v4);
  ASSERT_TRUE(r4.ok);
  EXPECT_EQ(fold(pseudo_header_sum(r4.layers, 20)),
            fold(pseudo_header_sum_v4(r4.layers.src.first<4>(), r4.layers.dst.first<4>(), kProtoTcp, 20)));
  const Bytes v6 = ipv6(8, {{kProtoHopByHop, 8}});
  const IpParseResult r6 = parse_ip(v6);
  ASSERT_TRUE(r6.ok);
  // The pseudo-header carries the L4 protocol, not the first next-header value.
  EXPECT_EQ(fold(pseudo_header_sum(r6.layers, 8)),
            fold(pseudo_header_sum_v6(r6.layers.src.first<16>(), r6.layers.dst.first<16>(), kProtoUdp, 8)));
  EXPECT_NE(fold(pseudo_header_sum(r6.layers, 8)),
            fold(pseudo_header_sum_v6(r6.layers.src.first<16>(), r6.layers.dst.first<16>(), kProtoHopByHop, 8)));
}

}  // namespace
}  // namespace packet

// Naming the first difference between a packet and the copy a forwarder wrote
// (check/packet_diff.h): the byte, the field it belongs to, both values.
#include "check/packet_diff.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "packet/encode.h"
#include "support/packet_builder.h"

namespace {

using tbtest::Bytes;
using tbtest::PacketSpec;

PacketSpec tcp_with_options() {
  PacketSpec s;
  s.ipv4_options = {1, 7, 7, 4, 0, 0, 0, 0};  // NOP, record route: IHL 7
  s.payload = tbtest::pattern(40);
  return s;
}

TEST(PacketDiff, NamesIpv4FieldsOptionsAndTheTcpHeader) {
  const auto p = tbtest::build(tcp_with_options());
  EXPECT_EQ(check::field_at(p, 8), "IPv4 TTL");
  EXPECT_EQ(check::field_at(p, 11), "IPv4 header checksum");
  EXPECT_EQ(check::field_at(p, 20), "IPv4 option byte 0");
  EXPECT_EQ(check::field_at(p, 27), "IPv4 option byte 7");
  EXPECT_EQ(check::field_at(p, 28), "TCP source port");
  EXPECT_EQ(check::field_at(p, 28 + 16), "TCP checksum");
  EXPECT_EQ(check::field_at(p, 28 + 20), "payload byte 0");
  EXPECT_EQ(check::field_at(p, p.size()), "beyond the packet");
}

TEST(PacketDiff, WalksIpv6ExtensionHeadersToUdp) {
  auto s = tbtest::v6(PacketSpec{});
  s.proto = packet::kProtoUdp;
  s.ipv6_ext_headers = {{packet::kProtoHopByHop, 8}, {packet::kProtoDestOpts, 16}};
  s.payload = tbtest::pattern(10);
  const auto p = tbtest::build(s);
  EXPECT_EQ(check::field_at(p, 7), "IPv6 hop limit");
  EXPECT_EQ(check::field_at(p, 1), "IPv6 version/traffic class/flow label");
  EXPECT_EQ(check::field_at(p, 40), "IPv6 extension header 1 (hop-by-hop) byte 0");
  EXPECT_EQ(check::field_at(p, 50), "IPv6 extension header 2 (destination options) byte 2");
  EXPECT_EQ(check::field_at(p, 64 + 6), "UDP checksum");
  EXPECT_EQ(check::field_at(p, 64 + 9), "payload byte 1");
}

TEST(PacketDiff, NamesIcmpEchoFields) {
  packet::IpFields ip;
  ip.src = {10, 0, 1, 1};
  ip.dst = {10, 0, 2, 1};
  Bytes p(packet::icmp_echo_headers_size(ip) + 4);
  ASSERT_EQ(packet::encode_icmp_echo(p, ip, {false, 1, 2}, 4), p.size());
  EXPECT_EQ(check::field_at(p, 20), "ICMP type");
  EXPECT_EQ(check::field_at(p, 23), "ICMP checksum");
  EXPECT_EQ(check::field_at(p, 29), "ICMP data byte 1");
}

TEST(PacketDiff, TheFirstDifferingByteIsNamedWithBothValues) {
  const auto sent = tbtest::build(tcp_with_options());
  EXPECT_EQ(check::first_difference(sent, sent), std::nullopt);
  auto ttl = sent;
  ttl[8] = 63;
  ttl[10] ^= 0xFF;  // a later difference is not the first
  EXPECT_EQ(check::first_difference(sent, ttl), "byte 8 (IPv4 TTL): 0x40 written as 0x3f");
  auto checksum = sent;
  checksum[28 + 17] ^= 1;
  EXPECT_NE(check::first_difference(sent, checksum)->find("(TCP checksum)"), std::string::npos);
}

TEST(PacketDiff, ALengthDifferenceSaysBothLengths) {
  const auto sent = tbtest::build(tcp_with_options());
  const Bytes cut(sent.begin(), sent.end() - 3);
  EXPECT_EQ(check::first_difference(sent, cut),
            fmt::format("{} bytes written as {} (equal up to byte {})", sent.size(), cut.size(), cut.size()));
}

}  // namespace

// The packet rules of `tunbench check` (check/packet_rules.h) on crafted packets: each row
// breaks exactly one rule (or none) and names the rule it expects to see broken.
#include "check/packet_rules.h"

#include <functional>
#include <string>

#include <gtest/gtest.h>

#include "support/packet_builder.h"

namespace {

using tbtest::Bytes;
using tbtest::PacketSpec;

struct Written {
  vnet::VnetHeader header{};
  Bytes bytes;
};

struct Row {
  std::string name;                 // the rule the row breaks ("none": a valid packet)
  std::function<Written()> packet;  // what the forwarder wrote
  std::size_t mtu = 1500;
};

PacketSpec tcp4(std::size_t payload = 100) {
  PacketSpec s;
  s.payload = tbtest::pattern(payload);
  return s;
}
PacketSpec udp(int version, std::size_t payload = 100) {
  PacketSpec s = version == 6 ? tbtest::v6(PacketSpec{}) : PacketSpec{};
  s.proto = packet::kProtoUdp;
  s.payload = tbtest::pattern(payload);
  return s;
}
Written plain(const PacketSpec& s) { return {{}, tbtest::build(s)}; }
Written gso(const PacketSpec& s, std::uint16_t size) {
  auto g = tbtest::make_gso(s, size);
  return {g.header, g.bytes};
}
// The UDP checksum field set to `value` (the rest of the packet left valid).
Written udp_checksum(const PacketSpec& s, std::uint16_t value) {
  auto w = plain(s);
  packet::store_be16(w.bytes.data() + tbtest::ip_header_size(s) + 6, value);
  return w;
}

const Row kRows[] = {
    {"none_tcp_v4", [] { return plain(tcp4()); }},
    {"none_tcp_v6", [] { return plain(tbtest::v6(tcp4())); }},
    {"none_udp_v4_without_checksum", [] { return udp_checksum(udp(4), 0); }},
    {"none_udp_v6", [] { return plain(udp(6)); }},
    {"none_gso_tcp_v4", [] { return gso(tcp4(5000), 1448); }},
    {"none_gso_tcp_v6_ext_headers",
     [] {
       auto s = tbtest::v6(tcp4(5000));
       s.ipv6_ext_headers = {{packet::kProtoHopByHop, 8}, {packet::kProtoDestOpts, 16}};
       return gso(s, 1400);
     }},
    {"none_needs_csum_single",
     [] {
       auto w = gso(tcp4(100), 1448);
       w.header.gso_type = vnet::kGsoNone;
       w.header.gso_size = 0;
       return w;
     }},
    {"ipv4-checksum",
     [] {
       auto w = plain(tcp4());
       w.bytes[10] ^= 0x01;
       return w;
     }},
    {"ip-length",
     [] {
       auto w = plain(tcp4());
       w.bytes[3] = static_cast<std::uint8_t>(w.bytes[3] + 1);  // total length one more than written
       tbtest::refresh_ipv4_checksum(w.bytes);
       return w;
     }},
    {"ip-length",  // IPv6 payload length that leaves out the extension headers (wireguard-go's bug)
     [] {
       auto s = tbtest::v6(tcp4());
       s.ipv6_ext_headers = {{packet::kProtoDestOpts, 8}};
       auto w = plain(s);
       packet::store_be16(w.bytes.data() + 4, static_cast<std::uint16_t>(w.bytes.size() - 48));
       return w;
     }},
    {"l4-checksum",
     [] {
       auto w = plain(tcp4());
       w.bytes.back() ^= 0x40;  // a payload byte changed, the checksum not
       return w;
     }},
    {"l4-checksum", [] { return udp_checksum(udp(4), 0x1234); }},
    {"l4-checksum",  // NEEDS_CSUM with a pseudo-header sum that is off by one
     [] {
       auto w = gso(tcp4(5000), 1448);
       const std::size_t field = 20 + 16;
       packet::store_be16(w.bytes.data() + field,
                          static_cast<std::uint16_t>(packet::load_be16(w.bytes.data() + field) + 1));
       return w;
     }},
    {"udp6-zero-checksum", [] { return udp_checksum(udp(6), 0); }},
    {"vnet-csum",
     [] {
       auto w = gso(tcp4(100), 1448);
       w.header.gso_type = vnet::kGsoNone;
       w.header.csum_start = 24;
       return w;
     }},
    {"mtu", [] { return plain(tcp4(1500)); }},
    {"mtu", [] { return gso(tcp4(9000), 3000); }},
    {"gso-oracle",
     [] {
       auto w = gso(tcp4(5000), 1448);
       w.header.gso_type = vnet::kGsoTcpV6;  // an IPv4 packet labelled TCPv6
       return w;
     }},
    {"gso-oracle",
     [] {
       auto w = gso(udp(4, 5000), 1400);
       w.header.gso_type = vnet::kGsoTcpV4;  // a UDP packet labelled TCP
       return w;
     }},
};

class PacketRules : public ::testing::TestWithParam<Row> {};

TEST_P(PacketRules, FindsExactlyTheRuleTheRowBreaks) {
  const auto w = GetParam().packet();
  const auto found = check::check_written_packet(w.header, w.bytes, GetParam().mtu);
  std::string all;
  for (const auto& b : found) all += b.rule + ": " + b.detail + "\n";
  if (GetParam().name.starts_with("none")) {
    EXPECT_TRUE(found.empty()) << all;
  } else {
    ASSERT_EQ(found.size(), 1u) << all;
    EXPECT_EQ(found[0].rule, GetParam().name) << all;
    EXPECT_FALSE(found[0].detail.empty());
  }
}

std::string row_name(const ::testing::TestParamInfo<Row>& info) {
  std::string n = info.param.name + "_" + std::to_string(info.index);
  for (char& c : n)
    if (c == '-') c = '_';
  return n;
}

INSTANTIATE_TEST_SUITE_P(Rows, PacketRules, ::testing::ValuesIn(kRows), row_name);

TEST(DescribePacket, NamesTheFlowSequenceLengthAndFlags) {
  auto s = tcp4(10);
  s.seq = 4242;
  s.flags = packet::TcpHeader::kAckFlag | packet::TcpHeader::kPsh;
  EXPECT_EQ(check::describe_packet(tbtest::build(s)), "TCP 10.0.0.1:1000 > 10.0.0.2:2000 seq 4242 len 10 [ACK|PSH]");
  EXPECT_EQ(check::describe_packet(tbtest::build(udp(6, 3))), "UDP [fd00::1]:1000 > [fd00::2]:2000 len 3");
}

}  // namespace

namespace {

// A packet socket reports the skb's linear length as hdr_len, which may be anything; the rules
// judge what the forwarder decided (type, size, checksum offsets), not that hint.
TEST(AsCaptured, TheKernelsHdrLenHintIsNotHeldAgainstTheForwarder) {
  auto g = tbtest::make_gso(tcp4(5000), 1448);
  g.header.hdr_len = 14;  // shorter than the headers: the oracle alone would refuse it
  const auto found = check::check_written_packet(check::as_captured(g.header, g.bytes.size()), g.bytes, 1500);
  EXPECT_TRUE(found.empty()) << found.front().rule << ": " << found.front().detail;
  EXPECT_EQ(check::as_captured(g.header, g.bytes.size()).hdr_len, g.bytes.size());
  vnet::VnetHeader plain_header{};
  EXPECT_EQ(check::as_captured(plain_header, 100).hdr_len, 0u) << "a plain packet's header is left alone";
}

}  // namespace

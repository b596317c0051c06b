// Packets the stack must not take, each dropped with its reason (parse_inbound through
// StackRig::feed), and the near misses it must take: one table row per rule.
#include <functional>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "packet/bytes.h"
#include "support/packet_builder.h"
#include "support/stack_rig.h"

namespace {

using namespace tbtest;
using packet::TcpHeader;
using stack::Drop;

const ClientFlow kV4{};
const ClientFlow kV6 = ClientFlow::v6();

ClientPacket syn(const ClientFlow& f = kV4, const Bytes& options = {}) {
  return {{}, tcp_packet(f, 1000, 0, kSyn, 64240, {}, options)};
}
ClientPacket datagram(const ClientFlow& f = kV4) { return udp_packet(f, pattern(100)); }

std::size_t l4_offset(const ClientPacket& p) { return packet::parse_ip(p.bytes).layers.l4_offset; }

// Breaks the L4 checksum (the field itself, so nothing else changes).
ClientPacket bad_checksum(ClientPacket p, std::size_t field_offset) {
  p.bytes[l4_offset(p) + field_offset] ^= 0x5A;
  return p;
}
ClientPacket tcp_bad_checksum(const ClientFlow& f = kV4) { return bad_checksum(syn(f), TcpHeader::kChecksumOffset); }

vnet::VnetHeader needs_csum(int version, std::uint16_t csum_offset) {
  vnet::VnetHeader h;
  h.flags = vnet::kFlagNeedsCsum;
  h.csum_start = static_cast<std::uint16_t>(version == 4 ? 20 : 40);
  h.csum_offset = csum_offset;
  return h;
}

// Cuts an IPv4 packet to `length` bytes with its total length (and header checksum) to match.
ClientPacket truncate_v4(ClientPacket p, std::size_t length) {
  p.bytes.resize(length);
  packet::store_be16(p.bytes.data() + 2, static_cast<std::uint16_t>(length));
  refresh_ipv4_checksum(p.bytes);
  return p;
}

ClientPacket with_tcp_data_offset(ClientPacket p, std::uint8_t words) {
  packet::TcpHeader(std::span<std::uint8_t>(p.bytes).subspan(l4_offset(p))).set_data_offset(words);
  refresh_l4_checksum(p.bytes);
  return p;
}

ClientPacket with_ipv4_total_length(ClientPacket p, int delta) {
  const auto len = packet::load_be16(p.bytes.data() + 2);
  packet::store_be16(p.bytes.data() + 2, static_cast<std::uint16_t>(len + delta));
  refresh_ipv4_checksum(p.bytes);
  return p;
}

ClientPacket with_udp_length(ClientPacket p, int delta) {
  const std::size_t at = l4_offset(p) + 4;
  const auto len = packet::load_be16(p.bytes.data() + at);
  packet::store_be16(p.bytes.data() + at, static_cast<std::uint16_t>(len + delta));
  refresh_l4_checksum(p.bytes);
  return p;
}

ClientPacket with_udp_checksum(ClientPacket p, std::uint16_t value) {
  packet::store_be16(p.bytes.data() + l4_offset(p) + 6, value);
  return p;
}

// An IPv4/IPv6 packet of another protocol: a datagram relabelled.
ClientPacket other_protocol(const ClientFlow& f, std::uint8_t protocol) {
  ClientPacket p = datagram(f);
  p.bytes[f.version == 4 ? 9 : 6] = protocol;
  refresh_ipv4_checksum(p.bytes);
  return p;
}

ClientPacket with_header(ClientPacket p, vnet::VnetHeader h) {
  p.header = h;
  return p;
}

struct MalformedRow {
  const char* name;
  std::function<ClientPacket()> make;
  std::optional<Drop> drop;  // nullopt: taken
};

class Malformed : public testing::TestWithParam<MalformedRow> {};

TEST_P(Malformed, PacketIsDroppedWithItsReasonOrTaken) {
  const MalformedRow& r = GetParam();
  StackRig rig;
  const ClientPacket p = r.make();
  const auto drop = rig.feed(p.header, p.bytes);
  EXPECT_EQ(drop, r.drop);
  EXPECT_EQ(rig.counters().packets_in, 1u);
  if (r.drop) {
    EXPECT_EQ(rig.counters().dropped(*r.drop), 1u);
    EXPECT_EQ(rig.counters().dropped(), 1u);
    EXPECT_TRUE(rig.sockets().streams.empty());
    EXPECT_TRUE(rig.sockets().datagrams.empty());
    EXPECT_TRUE(rig.sink().written.empty()) << "a malformed packet is never answered";
  } else {
    EXPECT_EQ(rig.counters().dropped(), 0u);
    // Taken: a SYN starts a connect, a datagram is relayed.
    EXPECT_EQ(rig.sockets().streams.size() + rig.sockets().datagrams.size(), 1u);
    if (!rig.sockets().datagrams.empty()) {
      const auto* d = rig.sockets().datagrams.begin()->second;
      ASSERT_EQ(d->sent.size(), 1u);
      EXPECT_EQ(d->sent[0].payload, pattern(100));
    }
  }
}

const MalformedRow kRows[] = {
    // The references: well-formed, taken.
    {"TcpSyn", [] { return syn(); }, std::nullopt},
    {"Tcp6Syn", [] { return syn(kV6); }, std::nullopt},
    {"UdpDatagram", [] { return datagram(); }, std::nullopt},
    {"Udp6Datagram", [] { return datagram(kV6); }, std::nullopt},
    // TCP checksum, unless the kernel vouched for it.
    {"TcpBadChecksum", [] { return tcp_bad_checksum(); }, Drop::kTcpChecksum},
    {"Tcp6BadChecksum", [] { return tcp_bad_checksum(kV6); }, Drop::kTcpChecksum},
    {"TcpBadChecksumNeedsCsum", [] { return with_header(tcp_bad_checksum(), needs_csum(4, 16)); }, std::nullopt},
    {"TcpBadChecksumDataValid",
     [] {
       vnet::VnetHeader h;
       h.flags = vnet::kFlagDataValid;
       return with_header(tcp_bad_checksum(), h);
     },
     std::nullopt},
    // TCP header.
    {"TcpDataOffsetBelowFive", [] { return with_tcp_data_offset(syn(), 4); }, Drop::kTcpHeader},
    {"TcpDataOffsetZero", [] { return with_tcp_data_offset(syn(), 0); }, Drop::kTcpHeader},
    {"TcpDataOffsetBeyondThePacket", [] { return with_tcp_data_offset(syn(), 6); }, Drop::kTcpHeader},
    {"TcpTruncatedHeader", [] { return truncate_v4(syn(), 20 + 19); }, Drop::kTcpHeader},
    {"TcpNoHeaderAtAll", [] { return truncate_v4(syn(), 20); }, Drop::kTcpHeader},
    // TCP options.
    {"TcpOptionMssWrongLength",
     [] {
       return syn(kV4, {stack::kOptMss, 3, 5, 0});
     },
     Drop::kTcpHeader},
    {"TcpOptionRunsPastTheEnd",
     [] {
       return syn(kV4, {stack::kOptTimestamps, 10, 0, 0});
     },
     Drop::kTcpHeader},
    {"TcpOptionLengthBelowTwo",
     [] {
       return syn(kV4, {stack::kOptWindowScale, 1, 7, 0});
     },
     Drop::kTcpHeader},
    {"TcpOptionKindWithoutLength",
     [] {
       return syn(kV4, {stack::kOptNop, stack::kOptNop, stack::kOptNop, 30});
     },
     Drop::kTcpHeader},
    {"TcpOptionSackNotWholeBlocks",
     [] {
       return syn(kV4, {stack::kOptSack, 6, 0, 0, 0, 0, 0, 0});
     },
     Drop::kTcpHeader},
    {"TcpUnknownOptionIsSkipped",
     [] {
       return syn(kV4, {30, 4, 0, 0});
     },
     std::nullopt},
    {"TcpOptionsEndedByEol",
     [] {
       return syn(kV4, {stack::kOptEnd, 99, 99, 99});
     },
     std::nullopt},
    // IP.
    {"IpTotalLengthTooLong", [] { return with_ipv4_total_length(syn(), +1); }, Drop::kIpHeader},
    {"IpTotalLengthTooShort", [] { return with_ipv4_total_length(syn(), -1); }, Drop::kIpHeader},
    {"IpTruncatedHeader",
     [] {
       auto p = syn();
       p.bytes.resize(19);
       return p;
     },
     Drop::kIpHeader},
    {"IpEmpty", [] { return ClientPacket{}; }, Drop::kIpHeader},
    {"IpBadVersion",
     [] {
       auto p = syn();
       p.bytes[0] = static_cast<std::uint8_t>(0x50 | (p.bytes[0] & 0x0F));
       return p;
     },
     Drop::kIpHeader},
    {"IpFragment",
     [] {
       auto p = syn();
       packet::store_be16(p.bytes.data() + 6, packet::Ipv4Header::kFlagMF);
       refresh_ipv4_checksum(p.bytes);
       return p;
     },
     Drop::kIpHeader},
    {"Ipv6PayloadLengthWrong",
     [] {
       auto p = syn(kV6);
       packet::store_be16(p.bytes.data() + 4, static_cast<std::uint16_t>(packet::load_be16(p.bytes.data() + 4) + 4));
       return p;
     },
     Drop::kIpHeader},
    // The virtio-net header.
    {"VnetUfo",
     [] {
       vnet::VnetHeader h = needs_csum(4, 6);
       h.gso_type = vnet::kGsoUdp;
       h.gso_size = 50;
       return with_header(datagram(), h);
     },
     Drop::kVnetHeader},
    {"VnetGsoSizeZero",
     [] {
       vnet::VnetHeader h = needs_csum(4, 16);
       h.gso_type = vnet::kGsoTcpV4;
       return with_header(syn(), h);
     },
     Drop::kVnetHeader},
    {"VnetGsoWithoutNeedsCsum",
     [] {
       vnet::VnetHeader h;
       h.gso_type = vnet::kGsoTcpV4;
       h.gso_size = 1000;
       return with_header(syn(), h);
     },
     Drop::kVnetHeader},
    {"VnetCsumStartBeyondThePacket",
     [] {
       vnet::VnetHeader h = needs_csum(4, 16);
       h.csum_start = 500;
       return with_header(syn(), h);
     },
     Drop::kVnetHeader},
    {"VnetCsumOffsetWrongForTcpGso",
     [] {
       vnet::VnetHeader h = needs_csum(4, 6);
       h.gso_type = vnet::kGsoTcpV4;
       h.gso_size = 1000;
       return with_header(syn(), h);
     },
     Drop::kVnetHeader},
    {"VnetHdrLenBeyondThePacket",
     [] {
       vnet::VnetHeader h;
       h.hdr_len = 1000;
       return with_header(syn(), h);
     },
     Drop::kVnetHeader},
    // Neither TCP nor UDP.
    {"Icmp", [] { return other_protocol(kV4, 1); }, Drop::kProtocol},
    {"Icmp6", [] { return other_protocol(kV6, 58); }, Drop::kProtocol},
    {"Sctp", [] { return other_protocol(kV4, 132); }, Drop::kProtocol},
    // UDP.
    {"UdpLengthTooShort", [] { return with_udp_length(datagram(), -1); }, Drop::kUdpHeader},
    {"UdpLengthTooLong", [] { return with_udp_length(datagram(), +1); }, Drop::kUdpHeader},
    {"UdpTruncatedHeader", [] { return truncate_v4(datagram(), 20 + 7); }, Drop::kUdpHeader},
    {"UdpBadChecksum", [] { return bad_checksum(datagram(), 6); }, Drop::kUdpChecksum},
    {"Udp6BadChecksum", [] { return bad_checksum(datagram(kV6), 6); }, Drop::kUdpChecksum},
    {"UdpBadChecksumNeedsCsum", [] { return with_header(bad_checksum(datagram(), 6), needs_csum(4, 6)); },
     std::nullopt},
    {"UdpNoChecksumV4", [] { return with_udp_checksum(datagram(), 0); }, std::nullopt},
    {"UdpNoChecksumV6IsNotAllowed", [] { return with_udp_checksum(datagram(kV6), 0); }, Drop::kUdpChecksum},
};

INSTANTIATE_TEST_SUITE_P(Inbound, Malformed, testing::ValuesIn(kRows),
                         [](const testing::TestParamInfo<MalformedRow>& i) { return std::string(i.param.name); });

TEST(Inbound, ParsedFieldsOfATcpSegment) {
  const Bytes payload = pattern(300);
  const Bytes bytes =
      tcp_packet(kV4, 0x01020304, 0x0A0B0C0D, TcpHeader::kAckFlag | TcpHeader::kPsh, 4321, payload, ts_option(11, 22));
  stack::Inbound in;
  ASSERT_EQ(stack::parse_inbound({}, bytes, in), std::nullopt);
  EXPECT_EQ(in.flow, kV4.key(packet::kProtoTcp));
  EXPECT_EQ(in.seq, 0x01020304u);
  EXPECT_EQ(in.ack, 0x0A0B0C0Du);
  EXPECT_EQ(in.flags, TcpHeader::kAckFlag | TcpHeader::kPsh);
  EXPECT_EQ(in.window, 4321);
  EXPECT_EQ(in.options.ts_val, std::optional<std::uint32_t>(11));
  EXPECT_EQ(in.options.ts_ecr, 22u);
  EXPECT_EQ(Bytes(in.payload.begin(), in.payload.end()), payload);
  EXPECT_EQ(in.gso_size, 0);
}

TEST(Inbound, UsoSuperPacketCarriesItsGsoSize) {
  const auto p = udp_packet(kV6, pattern(3000), 1200);
  stack::Inbound in;
  ASSERT_EQ(stack::parse_inbound(p.header, p.bytes, in), std::nullopt);
  EXPECT_EQ(in.flow, kV6.key(packet::kProtoUdp));
  EXPECT_EQ(in.payload.size(), 3000u);
  EXPECT_EQ(in.gso_size, 1200);
}

}  // namespace

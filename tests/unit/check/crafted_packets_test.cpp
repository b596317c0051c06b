// The crafted cases' packets (check/crafted_packets.h): each is a well-formed packet of the
// shape its case promises (options, extension headers, echo, the one wrong checksum, runs whose
// neighbours differ in the field named), addressed client → server, with its tag.
#include "check/crafted_packets.h"

#include <map>
#include <utility>

#include <gtest/gtest.h>

#include "packet/checksum.h"
#include "packet/encode.h"
#include "packet/fragment.h"
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

// ---- crafted-fragments ----

// Where a fragment's data starts and what its fragment fields say.
struct FragmentView {
  bool fragment = false;   // MF/M set or a non-zero offset
  std::size_t data = 0;    // where its data starts
  std::size_t offset = 0;  // of its data in the datagram, in bytes
  bool more = false;
  std::uint32_t id = 0;       // IPv4 ID or IPv6 identification
  std::uint8_t protocol = 0;  // of the datagram's L4 part
};

FragmentView fragment_view(const std::vector<std::uint8_t>& p) {
  FragmentView v;
  if ((p[0] >> 4) == 4) {
    const packet::ConstIpv4Header ip(p);
    v = {ip.is_fragment(), ip.header_length(), ip.fragment_offset() * 8u, ip.more_fragments(), ip.id(), ip.protocol()};
    return v;
  }
  // IPv6: walk to the Fragment header.
  std::size_t at = 40, next_field = 6;
  while (p[next_field] == packet::kProtoHopByHop || p[next_field] == packet::kProtoDestOpts) {
    next_field = at;
    at += (std::size_t{p[at + 1]} + 1) * 8;
  }
  if (p[next_field] != packet::kProtoFragment) return v;
  const std::uint16_t offset_m = packet::load_be16(&p[at + 2]);
  v = {true, at + 8, (offset_m >> 3) * 8u, (offset_m & 1) != 0, packet::load_be32(&p[at + 4]), p[at]};
  return v;
}

// `p` as a forwarder that ignores the fragment fields would read it: IPv4 with MF and offset
// cleared (header checksum refreshed), IPv6 without its Fragment header.
std::vector<std::uint8_t> misread(std::vector<std::uint8_t> p) {
  if ((p[0] >> 4) == 4) {
    const packet::Ipv4Header ip(p);
    ip.set_flags_fragment(0);
    ip.update_checksum();
    return p;
  }
  const auto v = fragment_view(p);
  const std::size_t at = v.data - 8;
  p[at == 40 ? 6 : 40] = v.protocol;  // fragments here follow the fixed header or one hop-by-hop
  p.erase(p.begin() + static_cast<std::ptrdiff_t>(at), p.begin() + static_cast<std::ptrdiff_t>(v.data));
  packet::Ipv6Header(p).set_payload_length(static_cast<std::uint16_t>(p.size() - 40));
  return p;
}

TEST(CraftedPackets, FragmentsAreRealFragmentsEachCarryingItsTagAtTheStartOfItsData) {
  const auto packets = check::fragment_packets(ends());
  ASSERT_EQ(packets.size(), 23u);
  expect_tagged(packets);
  for (std::size_t i = 0; i < packets.size(); ++i) {
    const auto& p = packets[i];
    SCOPED_TRACE(p.name);
    const auto v = fragment_view(p.bytes);
    ASSERT_TRUE(v.fragment) << "no atomic fragment (offset 0, MF clear): that is no fragment";
    EXPECT_FALSE(packet::parse_ip(p.bytes).ok) << "the offload engine's parser refuses fragments";
    if ((p.bytes[0] >> 4) == 4) {
      const packet::ConstIpv4Header ip(p.bytes);
      EXPECT_EQ(ip.total_length(), p.bytes.size());
      EXPECT_TRUE(tbtest::ipv4_checksum_ok(p.bytes));
      EXPECT_FALSE(ip.flags_fragment() & packet::Ipv4Header::kFlagDF);
      EXPECT_EQ(ip.ihl(), 5);
    } else {
      EXPECT_EQ(packet::ConstIpv6Header(p.bytes).payload_length(), p.bytes.size() - 40);
    }
    if (v.more) {
      EXPECT_EQ((p.bytes.size() - v.data) % 8, 0u) << "all but the last carry multiples of 8";
    }
    // The tag where the data starts; in a first fragment right after the L4 header; in a lone
    // fragment right after the header it pretends to be.
    const std::size_t l4_header = v.protocol == packet::kProtoTcp ? 20 : 8;
    const bool lone = p.name.find("reads as") != std::string::npos;
    const std::size_t tag_at = v.data + (v.offset == 0 || lone ? l4_header : 0);
    const auto tag = check::crafted_tag(5400, static_cast<std::uint16_t>(i));
    ASSERT_LE(tag_at + tag.size(), p.bytes.size());
    EXPECT_TRUE(std::equal(tag.begin(), tag.end(), p.bytes.begin() + static_cast<std::ptrdiff_t>(tag_at)));
  }
}

// The fragments of each datagram, put back together, make a valid datagram of the case's flow.
TEST(CraftedPackets, FragmentsOfEachDatagramReassembleIntoAValidOne) {
  const auto packets = check::fragment_packets(ends());
  std::map<std::pair<int, std::uint32_t>, packet::Fragments> datagrams;
  std::size_t lone = 0;
  for (const auto& p : packets) {
    if (p.name.find("reads as") != std::string::npos) {
      ++lone;
      continue;
    }
    datagrams[{p.bytes[0] >> 4, fragment_view(p.bytes).id}].push_back(p.bytes);
  }
  EXPECT_EQ(lone, 8u);
  ASSERT_EQ(datagrams.size(), 5u) << "UDP and TCP over IPv4 and IPv6, UDP behind hop-by-hop";
  for (const auto& [key, fragments] : datagrams) {
    EXPECT_EQ(fragments.size(), 3u) << "first, middle, last";
    const auto whole = key.first == 4 ? packet::reassemble_ipv4(fragments) : packet::reassemble_ipv6(fragments);
    ASSERT_TRUE(whole.has_value()) << key.first << " " << key.second;
    const check::CraftedPacket p{"reassembled", *whole};
    expect_addressed(p);
    EXPECT_TRUE(tbtest::l4_checksum_ok(*whole));
    EXPECT_TRUE(tbtest::ipv4_checksum_ok(*whole));
    EXPECT_EQ(check::tags_in(*whole, 5400).size(), 3u) << "the tag of each of its fragments";
  }
}

// A lone later fragment misread as a whole packet is a valid UDP datagram or TCP segment of the
// case's flow, and the pairs would merge: same flow, IPv4 IDs counting up, TCP sequence numbers
// following on.
TEST(CraftedPackets, LoneFragmentsReadAsValidMergeablePacketsIfTheFragmentFieldsAreIgnored) {
  const auto packets = check::fragment_packets(ends());
  std::vector<std::vector<std::uint8_t>> lone;
  for (const auto& p : packets)
    if (p.name.find("reads as") != std::string::npos) lone.push_back(p.bytes);
  ASSERT_EQ(lone.size(), 8u);
  for (std::size_t i = 0; i < lone.size(); i += 2) {
    const auto a = misread(lone[i]), b = misread(lone[i + 1]);
    for (const auto* m : {&a, &b}) {
      const check::CraftedPacket p{"misread", *m};
      expect_addressed(p);
      EXPECT_TRUE(tbtest::l4_checksum_ok(*m)) << i;
      EXPECT_TRUE(tbtest::ipv4_checksum_ok(*m)) << i;
    }
    const auto la = packet::parse_ip(a).layers;
    EXPECT_EQ(packet::load_be16(&a[la.l4_offset]), packet::load_be16(&b[la.l4_offset])) << "one flow";
    EXPECT_EQ(a.size(), b.size());
    if (la.version == 4) {
      EXPECT_EQ(packet::ConstIpv4Header(b).id(), packet::ConstIpv4Header(a).id() + 1);
    }
    if (la.l4_protocol == packet::kProtoTcp) {
      const packet::ConstTcpHeader ta(std::span<const std::uint8_t>(a).subspan(la.l4_offset));
      const packet::ConstTcpHeader tb(std::span<const std::uint8_t>(b).subspan(la.l4_offset));
      EXPECT_EQ(ta.flags(), packet::TcpHeader::kAckFlag);
      EXPECT_EQ(tb.seq(), ta.seq() + (a.size() - la.l4_offset - ta.header_length()));
      EXPECT_TRUE(fragment_view(lone[i]).more) << "a TCP one is a middle fragment";
    } else {
      EXPECT_FALSE(fragment_view(lone[i]).more) << "a UDP one is the last fragment";
    }
    EXPECT_NE(fragment_view(lone[i]).offset, 0u);
  }
}

// ---- crafted-tcp-flags ----

TEST(CraftedPackets, FlagRunsCarryUrgEceAndCwrWhereTheirNamesSay) {
  const auto packets = check::tcp_flag_runs(ends());
  ASSERT_EQ(packets.size(), 30u);
  expect_tagged(packets);
  using packet::TcpHeader;
  constexpr std::uint8_t kAck = TcpHeader::kAckFlag;
  // Per run: the flags of its five segments.
  const std::uint8_t urg[] = {kAck, kAck, kAck | TcpHeader::kUrg, kAck, kAck};
  const std::uint8_t ece[] = {kAck | TcpHeader::kEce, kAck | TcpHeader::kEce, kAck | TcpHeader::kEce,
                              kAck | TcpHeader::kEce, kAck | TcpHeader::kEce};
  const std::uint8_t cwr[] = {kAck, kAck, kAck | TcpHeader::kCwr, kAck, kAck};
  const std::uint8_t* runs[] = {urg, ece, cwr, urg, ece, cwr};
  for (std::size_t run = 0; run < 6; ++run) {
    for (std::size_t i = 0; i < 5; ++i) {
      const auto& p = packets[run * 5 + i];
      SCOPED_TRACE(p.name);
      expect_addressed(p);
      EXPECT_EQ(p.bytes[0] >> 4, run < 3 ? 4 : 6);
      EXPECT_TRUE(tbtest::l4_checksum_ok(p.bytes));
      EXPECT_TRUE(tbtest::ipv4_checksum_ok(p.bytes));
      const auto l = packet::parse_ip(p.bytes).layers;
      const packet::ConstTcpHeader tcp(std::span<const std::uint8_t>(p.bytes).subspan(l.l4_offset));
      EXPECT_EQ(tcp.flags(), runs[run][i]);
      EXPECT_EQ(tcp.urgent(), (tcp.flags() & TcpHeader::kUrg) ? 100 : 0) << "the urgent pointer only with URG";
      EXPECT_EQ(tcp.seq(), 1000 + i * 200) << "one run, consecutive";
      EXPECT_EQ(p.bytes.size() - l.l4_offset - tcp.header_length(), 200u);
      EXPECT_EQ(tcp.src_port(), packet::load_be16(packets[run * 5].bytes.data() + l.l4_offset)) << "one flow per run";
      if (i == 0 && run > 0) {
        const auto& prev = packets[run * 5 - 1];
        const auto pl = packet::parse_ip(prev.bytes).layers;
        EXPECT_NE(tcp.src_port(), packet::load_be16(prev.bytes.data() + pl.l4_offset)) << "a flow of its own per run";
      }
    }
  }
}

// ---- crafted-sizes ----

// The tag of a packet without one in its payload, and where it is: a TCP option, an IPv4 option
// or an IPv6 destination option, each of a type the RFCs set aside for experiments.
TEST(CraftedPackets, EmptyAndOneBytePacketsCarryTheTagInAnExperimentalOption) {
  const auto packets = check::size_packets(ends(), 1500);
  ASSERT_EQ(packets.size(), 12u);
  expect_tagged(packets);
  for (std::size_t i = 0; i < 8; ++i) {
    const auto& p = packets[i];
    SCOPED_TRACE(p.name);
    expect_addressed(p);
    EXPECT_TRUE(tbtest::l4_checksum_ok(p.bytes));
    EXPECT_TRUE(tbtest::ipv4_checksum_ok(p.bytes));
    const auto parsed = packet::parse_ip(p.bytes);
    ASSERT_TRUE(parsed.ok);
    const auto& l = parsed.layers;
    const auto l4 = std::span<const std::uint8_t>(p.bytes).subspan(l.l4_offset);
    const auto tag = check::crafted_tag(5400, static_cast<std::uint16_t>(i));
    const auto tag_is = [&](std::size_t at) {
      return std::equal(tag.begin(), tag.end(), p.bytes.begin() + static_cast<std::ptrdiff_t>(at));
    };
    const std::size_t payload = i < 4 ? 0 : 1;
    if (l.l4_protocol == packet::kProtoTcp) {
      const packet::ConstTcpHeader tcp(l4);
      EXPECT_EQ(tcp.flags(), packet::TcpHeader::kAckFlag);
      ASSERT_EQ(tcp.header_length(), 32u);
      EXPECT_EQ(l4.size() - tcp.header_length(), payload);
      // RFC 6994: kind 253, length, a 16-bit experiment ID, then the experiment's data.
      EXPECT_EQ(tcp.options()[0], 253);
      EXPECT_EQ(tcp.options()[1], 12);
      EXPECT_EQ(packet::load_be16(&tcp.options()[2]), check::kTcpExperimentId);
      EXPECT_TRUE(tag_is(l.l4_offset + 24));
    } else {
      ASSERT_EQ(l.l4_protocol, packet::kProtoUdp);
      EXPECT_EQ(l4.size(), 8 + payload);
      EXPECT_EQ(packet::load_be16(&l4[4]), 8 + payload) << "UDP length";
      if (l.version == 4) {
        const packet::ConstIpv4Header ip(p.bytes);
        ASSERT_EQ(ip.ihl(), 8);
        const std::uint8_t type = ip.options()[0];
        // RFC 4727 §2.2 sets aside number 30 with each copy/class: 30, 94, 158, 222.
        EXPECT_EQ(type, 94);
        EXPECT_EQ(type & 0x80, 0) << "copy 0: not repeated in fragments";
        EXPECT_EQ((type >> 5) & 3, 2) << "class 2 (debugging and measurement)";
        EXPECT_EQ(type & 0x1F, 30);
        EXPECT_EQ(ip.options()[1], 10);
        EXPECT_TRUE(tag_is(22));
        EXPECT_EQ(ip.options()[10], 0) << "End of Option List pads";
      } else {
        ASSERT_EQ(p.bytes[6], packet::kProtoDestOpts);
        ASSERT_EQ(l.l4_offset, 56u) << "one 16-byte destination-options header";
        const std::uint8_t type = p.bytes[42];
        // RFC 4727 §2.3 sets aside 0x1E (with the other action/change bits: 0x3E … 0xFE).
        EXPECT_EQ(type, 0x1E);
        EXPECT_EQ(type >> 6, 0) << "action 00: a node that does not know it skips it";
        EXPECT_EQ((type >> 5) & 1, 0) << "does not change en route";
        EXPECT_EQ(p.bytes[43], 8);
        EXPECT_TRUE(tag_is(44));
        EXPECT_EQ(p.bytes[52], 1) << "PadN fills the header";
        EXPECT_EQ(p.bytes[53], 2);
      }
    }
    if (payload == 1) {
      EXPECT_TRUE(check::tags_in(l4.last(1), 5400).empty());
    }
  }
}

TEST(CraftedPackets, MtuSizedPacketsFillTheMtuExactly) {
  for (const std::size_t mtu : {std::size_t{1500}, std::size_t{1280}, std::size_t{9000}}) {
    const auto packets = check::size_packets(ends(), mtu);
    ASSERT_EQ(packets.size(), 12u);
    expect_tagged(packets);
    const std::uint8_t protocols[] = {packet::kProtoTcp, packet::kProtoUdp, packet::kProtoTcp, packet::kProtoUdp};
    for (std::size_t i = 8; i < 12; ++i) {
      const auto& p = packets[i];
      SCOPED_TRACE(p.name);
      expect_addressed(p);
      EXPECT_EQ(p.bytes.size(), mtu);
      EXPECT_EQ(p.bytes[0] >> 4, i < 10 ? 4 : 6);
      EXPECT_TRUE(tbtest::l4_checksum_ok(p.bytes));
      EXPECT_TRUE(tbtest::ipv4_checksum_ok(p.bytes));
      const auto l = packet::parse_ip(p.bytes).layers;
      EXPECT_EQ(l.l4_protocol, protocols[i - 8]);
      EXPECT_FALSE(l.ipv6_has_ext);
    }
  }
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

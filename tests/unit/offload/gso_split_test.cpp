#include "offload/gso_split.h"

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "offload/error.h"
#include "packet/bytes.h"
#include "packet/ip_packet.h"
#include "packet/ipv4_header.h"
#include "packet/tcp_header.h"
#include "packet/udp_header.h"
#include "packet/view.h"
#include "support/packet_builder.h"
#include "support/test_names.h"

namespace offload {
namespace {

using packet::TcpHeader;
using tbtest::Bytes;
using tbtest::GsoPacket;
using tbtest::PacketSpec;

constexpr std::uint8_t kFill = 0xA5;

// Caller-owned output slots, pre-filled so writes outside a segment would be visible.
struct Outputs {
  std::vector<Bytes> buffers;
  std::vector<std::span<std::uint8_t>> slots;
  std::vector<std::size_t> lengths;

  Outputs(std::size_t count, std::size_t slot_size) : buffers(count, Bytes(slot_size, kFill)), lengths(count, 0) {
    for (auto& b : buffers) slots.emplace_back(b);
  }
  Bytes segment(std::size_t i) const { return Bytes(buffers[i].begin(), buffers[i].begin() + lengths[i]); }
};

struct Split {
  SplitResult result;
  std::vector<Bytes> segments;
};

Split split(const vnet::VnetHeader& h, const Bytes& packet, std::size_t slots = 1024, std::size_t slot_size = 65536,
            SegmentChecksum checksum = SegmentChecksum::kComplete) {
  Outputs out(slots, slot_size);
  Split s{gso_split(h, packet, out.slots, out.lengths, checksum), {}};
  for (std::size_t i = 0; i < s.result.segments; ++i) s.segments.push_back(out.segment(i));
  return s;
}

PacketSpec tcp4(std::size_t payload) {
  PacketSpec s;
  s.payload = tbtest::pattern(payload);
  return s;
}
PacketSpec udp4(std::size_t payload) {
  PacketSpec s = tcp4(payload);
  s.proto = packet::kProtoUdp;
  return s;
}
PacketSpec tcp6(std::size_t payload) { return tbtest::v6(tcp4(payload)); }
PacketSpec udp6(std::size_t payload) { return tbtest::v6(udp4(payload)); }

// ---------------------------------------------------------------------------------------------
// One row per numbered check of docs/offload.md §5: a valid super-packet, one mutation, the Error.

struct RuleCase {
  std::string name;
  PacketSpec spec;
  std::function<void(GsoPacket&)> mutate;
  std::optional<Error> expected;  // nullopt: the packet is accepted
};

void set_ipv4_total_length(GsoPacket& g, std::size_t v) {
  packet::store_be16(&g.bytes[2], static_cast<std::uint16_t>(v));
}
void set_ipv6_payload_length(GsoPacket& g, std::size_t v) {
  packet::store_be16(&g.bytes[4], static_cast<std::uint16_t>(v));
}

std::vector<RuleCase> rule_cases() {
  std::vector<RuleCase> c;
  auto none = [](GsoPacket& g) {
    g.header.gso_type = vnet::kGsoNone;
    g.header.gso_size = 0;
  };
  c.push_back({"Rule1_NoneNeedsCsumStartBeyondPacket", tcp4(100),
               [none](GsoPacket& g) {
                 none(g);
                 g.header.csum_start = static_cast<std::uint16_t>(g.bytes.size());
               },
               Error::kVnetCsumStart});
  c.push_back({"Rule1_NoneNeedsCsumFieldBeyondPacket", tcp4(100),
               [none](GsoPacket& g) {
                 none(g);
                 g.header.csum_offset = static_cast<std::uint16_t>(g.bytes.size() - g.header.csum_start - 1);
               },
               Error::kVnetCsumOffset});
  c.push_back({"Rule1_NoneNeedsCsumFieldAtLastByteAccepted", tcp4(100),
               [none](GsoPacket& g) {
                 none(g);
                 g.header.csum_offset = static_cast<std::uint16_t>(g.bytes.size() - g.header.csum_start - 2);
               },
               std::nullopt});
  c.push_back({"Rule1_NoneWithoutNeedsCsumIgnoresOffsets", tcp4(100),
               [none](GsoPacket& g) {
                 none(g);
                 g.header.flags = 0;
                 g.header.csum_start = 0xFFFF;
                 g.header.csum_offset = 0xFFFF;
               },
               std::nullopt});

  c.push_back(
      {"Rule2_UfoRejected", udp4(3000), [](GsoPacket& g) { g.header.gso_type = vnet::kGsoUdp; }, Error::kVnetGsoType});
  c.push_back(
      {"Rule2_UnknownTypeRejected", tcp4(3000), [](GsoPacket& g) { g.header.gso_type = 2; }, Error::kVnetGsoType});
  c.push_back({"Rule2_EcnWithoutTypeRejected", tcp4(3000), [](GsoPacket& g) { g.header.gso_type = vnet::kGsoEcn; },
               Error::kVnetGsoType});
  c.push_back({"Rule2_EcnWithUdpL4Rejected", udp4(3000),
               [](GsoPacket& g) { g.header.gso_type = vnet::kGsoUdpL4 | vnet::kGsoEcn; }, Error::kVnetGsoEcnOnUdp});
  c.push_back({"Rule2_EcnWithTcpV4Accepted", tcp4(3000),
               [](GsoPacket& g) { g.header.gso_type = vnet::kGsoTcpV4 | vnet::kGsoEcn; }, std::nullopt});
  c.push_back(
      {"Rule2_GsoSizeZeroRejected", tcp4(3000), [](GsoPacket& g) { g.header.gso_size = 0; }, Error::kVnetGsoSize});
  c.push_back(
      {"Rule2_GsoSizeMaxGivesOneSegment", tcp4(3000), [](GsoPacket& g) { g.header.gso_size = 0xFFFF; }, std::nullopt});
  c.push_back({"Rule2_NoNeedsCsumRejected", tcp4(3000), [](GsoPacket& g) { g.header.flags = vnet::kFlagDataValid; },
               Error::kVnetNoNeedsCsum});

  c.push_back({"Rule3_EmptyPacketRejected", tcp4(0), [](GsoPacket& g) { g.bytes.clear(); }, Error::kIpVersion});
  c.push_back({"Rule3_VersionNibble5Rejected", tcp4(3000), [](GsoPacket& g) { g.bytes[0] = 0x55; }, Error::kIpVersion});
  c.push_back({"Rule3_TcpV4TypeOnIpv6Rejected", tcp6(3000), [](GsoPacket& g) { g.header.gso_type = vnet::kGsoTcpV4; },
               Error::kIpVersion});
  c.push_back({"Rule3_TcpV6TypeOnIpv4Rejected", tcp4(3000), [](GsoPacket& g) { g.header.gso_type = vnet::kGsoTcpV6; },
               Error::kIpVersion});
  c.push_back({"Rule3_UdpL4OnIpv6Accepted", udp6(3000), [](GsoPacket&) {}, std::nullopt});

  c.push_back(
      {"Rule4_Ipv4ShorterThan20Rejected", tcp4(0), [](GsoPacket& g) { g.bytes.resize(19); }, Error::kIpv4Header});
  c.push_back({"Rule4_Ipv4IhlBelow5Rejected", tcp4(3000), [](GsoPacket& g) { g.bytes[0] = 0x44; }, Error::kIpv4Header});
  c.push_back({"Rule4_Ipv4IhlBeyondPacketRejected", tcp4(0),
               [](GsoPacket& g) {
                 g.bytes.resize(24);
                 g.bytes[0] = 0x4F;
                 set_ipv4_total_length(g, 24);
               },
               Error::kIpv4Header});
  c.push_back({"Rule4_Ipv4TotalLengthMismatch", tcp4(3000),
               [](GsoPacket& g) { set_ipv4_total_length(g, g.bytes.size() - 1); }, Error::kIpv4Length});
  c.push_back(
      {"Rule4_Ipv4MoreFragmentsRejected", tcp4(3000), [](GsoPacket& g) { g.bytes[6] |= 0x20; }, Error::kIpv4Fragment});
  c.push_back(
      {"Rule4_Ipv4FragmentOffsetRejected", tcp4(3000), [](GsoPacket& g) { g.bytes[7] = 1; }, Error::kIpv4Fragment});
  c.push_back(
      {"Rule4_Ipv6ShorterThan40Rejected", tcp6(0), [](GsoPacket& g) { g.bytes.resize(39); }, Error::kIpv6Length});
  c.push_back({"Rule4_Ipv6PayloadLengthMismatch", tcp6(3000),
               [](GsoPacket& g) { set_ipv6_payload_length(g, g.bytes.size() - 40 + 1); }, Error::kIpv6Length});
  PacketSpec frag6 = tcp6(3000);
  frag6.ipv6_ext_headers = {{packet::kProtoHopByHop, 8}, {packet::kProtoFragment, 8}};
  c.push_back({"Rule4_Ipv6FragmentHeaderRejected", frag6, [](GsoPacket&) {}, Error::kIpv6Fragment});
  PacketSpec ext6 = tcp6(100);
  ext6.ipv6_ext_headers = {{packet::kProtoDestOpts, 8}};
  c.push_back({"Rule4_Ipv6ExtHeaderTruncated", ext6, [](GsoPacket& g) { g.bytes[41] = 200; }, Error::kIpv6ExtHeader});

  c.push_back({"Rule5_TcpTypeOnUdpPacketRejected", udp4(3000),
               [](GsoPacket& g) {
                 g.header.gso_type = vnet::kGsoTcpV4;
                 g.header.csum_offset = 16;
               },
               Error::kL4Protocol});
  c.push_back({"Rule5_UdpL4TypeOnTcpPacketRejected", tcp6(3000),
               [](GsoPacket& g) {
                 g.header.gso_type = vnet::kGsoUdpL4;
                 g.header.csum_offset = 6;
               },
               Error::kL4Protocol});
  c.push_back({"Rule5_CsumStartBeyondPacketRejected", tcp4(3000), [](GsoPacket& g) { g.header.csum_start = 0xFFF0; },
               Error::kVnetCsumStart});
  c.push_back({"Rule5_CsumFieldBeyondPacketRejected", tcp4(3000), [](GsoPacket& g) { g.header.csum_offset = 0xFFF0; },
               Error::kVnetCsumOffset});
  c.push_back({"Rule5_CsumStartNotL4OffsetRejected", tcp4(3000), [](GsoPacket& g) { g.header.csum_start -= 4; },
               Error::kVnetCsumStart});
  PacketSpec opt4 = tcp4(3000);
  opt4.ipv4_options = {1, 1, 1, 1};
  c.push_back({"Rule5_CsumStartIgnoringIpv4OptionsRejected", opt4, [](GsoPacket& g) { g.header.csum_start = 20; },
               Error::kVnetCsumStart});
  c.push_back({"Rule5_CsumStartIgnoringIpv6ExtHeadersRejected", ext6, [](GsoPacket& g) { g.header.csum_start = 40; },
               Error::kVnetCsumStart});
  c.push_back({"Rule5_TcpCsumOffsetNot16Rejected", tcp4(3000), [](GsoPacket& g) { g.header.csum_offset = 6; },
               Error::kVnetCsumOffset});
  c.push_back({"Rule5_UdpCsumOffsetNot6Rejected", udp4(3000), [](GsoPacket& g) { g.header.csum_offset = 16; },
               Error::kVnetCsumOffset});

  c.push_back({"Rule6_TcpDataOffsetBelow5Rejected", tcp4(3000), [](GsoPacket& g) { g.bytes[20 + 12] = 0x40; },
               Error::kTcpHeader});
  c.push_back({"Rule6_TcpDataOffsetBeyondPacketRejected", tcp4(0), [](GsoPacket& g) { g.bytes[20 + 12] = 0xF0; },
               Error::kTcpHeader});
  c.push_back({"Rule6_TcpFixedHeaderTruncated", tcp4(0),
               [](GsoPacket& g) {
                 g.bytes.resize(20 + 18);
                 set_ipv4_total_length(g, g.bytes.size());
               },
               Error::kTruncated});
  c.push_back({"Rule6_HdrLenShorterThanHeadersRejected", tcp4(3000), [](GsoPacket& g) { g.header.hdr_len -= 1; },
               Error::kVnetHdrLen});
  c.push_back({"Rule6_HdrLenZeroRejected", udp6(3000), [](GsoPacket& g) { g.header.hdr_len = 0; }, Error::kVnetHdrLen});
  c.push_back({"Rule6_HdrLenCoveringASegmentAccepted", tcp4(3000), [](GsoPacket& g) { g.header.hdr_len += 1448; },
               std::nullopt});
  return c;
}

class GsoRule : public ::testing::TestWithParam<RuleCase> {};

TEST_P(GsoRule, SplitAndCountAgree) {
  const RuleCase& rc = GetParam();
  GsoPacket g = tbtest::make_gso(rc.spec, 1448);
  rc.mutate(g);
  Outputs out(64, 65536);
  const SplitResult r = gso_split(g.header, g.bytes, out.slots, out.lengths);
  EXPECT_EQ(r.error, rc.expected) << (r.error ? to_string(*r.error) : "accepted");
  const SplitResult count = gso_segment_count(g.header, g.bytes);
  EXPECT_EQ(count.error, rc.expected);
  if (rc.expected) {
    EXPECT_EQ(r.segments, 0u);
    EXPECT_EQ(out.buffers[0], Bytes(65536, kFill)) << "a rejected packet must not write output";
  } else {
    EXPECT_GE(r.segments, 1u);
    EXPECT_EQ(count.segments, r.segments);
  }
}

// gso_split_headers applies the same rules: the same verdict, and nothing written on refusal.
TEST_P(GsoRule, SplitByReferenceAgrees) {
  const RuleCase& rc = GetParam();
  GsoPacket g = tbtest::make_gso(rc.spec, 1448);
  rc.mutate(g);
  Outputs out(64, 65536);
  std::vector<std::span<const std::uint8_t>> payloads(64);
  const SplitResult r = gso_split_headers(g.header, g.bytes, out.slots, out.lengths, payloads);
  EXPECT_EQ(r.error, rc.expected) << (r.error ? to_string(*r.error) : "accepted");
  if (rc.expected) {
    EXPECT_EQ(out.buffers[0], Bytes(65536, kFill)) << "a rejected packet must not write output";
  } else {
    EXPECT_EQ(r.segments, gso_segment_count(g.header, g.bytes).segments);
  }
}

INSTANTIATE_TEST_SUITE_P(Offload, GsoRule, ::testing::ValuesIn(rule_cases()), tbtest::case_name);

// ---------------------------------------------------------------------------------------------
// Segment correctness: each segment must be byte-identical to the packet a sender would have
// built for it (same headers and options, adjusted lengths/ID/seq/flags, fresh checksums).

struct SegmentCase {
  std::string name;
  PacketSpec spec;
  std::uint16_t gso_size;
  std::size_t expected_segments;
};

PacketSpec with_flags(PacketSpec s, std::uint8_t flags) {
  s.flags = flags;
  return s;
}
PacketSpec with_ids(PacketSpec s, std::uint16_t id, std::uint32_t seq) {
  s.id = id;
  s.seq = seq;
  return s;
}
PacketSpec with_options(PacketSpec s) {
  s.ipv4_options = {0x94, 0x04, 0x00, 0x00};                         // router alert
  s.tcp_options = {0x01, 0x01, 0x08, 0x0a, 1, 2, 3, 4, 5, 6, 7, 8};  // NOP NOP timestamps
  return s;
}
PacketSpec with_ext(PacketSpec s) {
  s.ipv6_ext_headers = {{packet::kProtoHopByHop, 8}, {packet::kProtoRouting, 16}, {packet::kProtoDestOpts, 24}};
  return s;
}

std::vector<SegmentCase> segment_cases() {
  const std::uint8_t all = TcpHeader::kAckFlag | TcpHeader::kPsh | TcpHeader::kFin | TcpHeader::kCwr | TcpHeader::kEce;
  return {
      {"TcpV4ThreeSegmentsLastShort", tcp4(3000), 1448, 3},
      {"TcpV4WithIpAndTcpOptions", with_options(tcp4(5000)), 1436, 4},
      {"TcpV4PayloadExactMultiple", tcp4(std::size_t{1448} * 3), 1448, 3},
      {"TcpV4PayloadBelowGsoSize", tcp4(1000), 1448, 1},
      {"TcpV4PayloadEqualsGsoSize", tcp4(1448), 1448, 1},
      {"TcpV4NoPayload", tcp4(0), 1448, 1},
      {"TcpV4OddGsoSizeOddTail", tcp4(2 * 999 + 501), 999, 3},
      {"TcpV4Largest64KSuperPacket", tcp4(65535 - 40), 1448, 46},
      {"TcpV4MoreThan128Segments", tcp4(60000), 100, 600},
      {"TcpV4IpIdWraps", with_ids(tcp4(5000), 0xFFFE, 1), 1448, 4},
      {"TcpV4SequenceWraps", with_ids(tcp4(5000), 7, 0xFFFFF000), 1448, 4},
      {"TcpV4FinPshOnlyLastCwrOnlyFirst", with_flags(tcp4(5000), all), 1448, 4},
      {"TcpV4AllFlagsSingleSegmentKept", with_flags(tcp4(100), all), 1448, 1},
      {"TcpV6ThreeSegments", tcp6(3000), 1428, 3},
      {"TcpV6WithExtHeaders", with_ext(tcp6(4000)), 1380, 3},
      {"TcpV6WithExtHeadersAndTcpOptions", with_options(with_ext(tcp6(4000))), 1368, 3},
      {"TcpV6FlagsAndSequenceWrap", with_ids(with_flags(tcp6(3000), all), 0, 0xFFFFFE00), 1000, 3},
      {"UdpV4ThreeSegments", udp4(3000), 1472, 3},
      {"UdpV4WithIpOptions", with_options(udp4(3000)), 1200, 3},
      {"UdpV4IpIdWraps", with_ids(udp4(3000), 0xFFFF, 0), 1000, 3},
      {"UdpV4OddGsoSize", udp4(1001 * 2 + 3), 1001, 3},
      {"UdpV6ThreeSegments", udp6(3000), 1452, 3},
      {"UdpV6WithExtHeaders", with_ext(udp6(3000)), 1400, 3},
      {"UdpV6PayloadBelowGsoSize", udp6(20), 1452, 1},
  };
}

// The packet the sender would have put on the wire as segment i.
Bytes expected_segment(const PacketSpec& s, std::uint16_t g, std::size_t i, std::size_t n) {
  PacketSpec e = s;
  const std::size_t start = std::min(s.payload.size(), i * g);
  const std::size_t end = std::min(s.payload.size(), start + g);
  e.payload.assign(s.payload.begin() + start, s.payload.begin() + end);
  e.id = static_cast<std::uint16_t>(s.id + i);
  if (s.proto == packet::kProtoTcp) {
    e.seq = s.seq + static_cast<std::uint32_t>(i * g);
    if (i + 1 != n) e.flags &= static_cast<std::uint8_t>(~(TcpHeader::kFin | TcpHeader::kPsh));
    if (i != 0) e.flags &= static_cast<std::uint8_t>(~TcpHeader::kCwr);
  }
  return tbtest::build(e);
}

class GsoSegments : public ::testing::TestWithParam<SegmentCase> {};

TEST_P(GsoSegments, EachSegmentIsTheSendersPacket) {
  const SegmentCase& sc = GetParam();
  const GsoPacket g = tbtest::make_gso(sc.spec, sc.gso_size);
  const Split s = split(g.header, g.bytes);
  ASSERT_TRUE(s.result.ok()) << to_string(*s.result.error);
  ASSERT_EQ(s.result.segments, sc.expected_segments);
  EXPECT_EQ(gso_segment_count(g.header, g.bytes).segments, sc.expected_segments);
  for (std::size_t i = 0; i < s.segments.size(); ++i) {
    SCOPED_TRACE("segment " + std::to_string(i));
    EXPECT_TRUE(tbtest::ipv4_checksum_ok(s.segments[i]));
    EXPECT_TRUE(tbtest::l4_checksum_ok(s.segments[i]));
    EXPECT_EQ(s.segments[i], expected_segment(sc.spec, sc.gso_size, i, s.segments.size()));
  }
}

TEST_P(GsoSegments, PayloadsConcatenateToTheOriginal) {
  const SegmentCase& sc = GetParam();
  const GsoPacket g = tbtest::make_gso(sc.spec, sc.gso_size);
  const Split s = split(g.header, g.bytes);
  ASSERT_TRUE(s.result.ok());
  Bytes joined;
  for (const auto& seg : s.segments) {
    auto p = tbtest::l4_payload(seg);
    EXPECT_LE(p.size(), sc.gso_size);
    joined.insert(joined.end(), p.begin(), p.end());
  }
  EXPECT_EQ(joined, sc.spec.payload);
}

// SegmentChecksum::kPartial: the same segments but for the L4 checksum field, which holds the
// folded pseudo-header sum of the segment; completing it as the kernel does for NEEDS_CSUM
// (summing from csum_start, the field included) gives the checksum kComplete writes.
TEST_P(GsoSegments, PartialChecksumsDifferOnlyInTheFieldTheKernelCompletes) {
  const SegmentCase& sc = GetParam();
  const GsoPacket g = tbtest::make_gso(sc.spec, sc.gso_size);
  const Split full = split(g.header, g.bytes);
  const Split part = split(g.header, g.bytes, 1024, 65536, SegmentChecksum::kPartial);
  ASSERT_TRUE(full.result.ok());
  ASSERT_TRUE(part.result.ok());
  ASSERT_EQ(part.segments.size(), sc.expected_segments);
  ASSERT_EQ(full.segments.size(), sc.expected_segments);
  const bool udp = sc.spec.proto == packet::kProtoUdp;
  for (std::size_t i = 0; i < part.segments.size(); ++i) {
    SCOPED_TRACE("segment " + std::to_string(i));
    Bytes a = part.segments[i];
    Bytes b = full.segments[i];
    ASSERT_EQ(a.size(), b.size());
    const auto parsed = packet::parse_ip(a);
    ASSERT_TRUE(parsed.ok);
    const std::size_t l4 = parsed.layers.l4_offset;
    const std::size_t field = l4 + tbtest::csum_field(sc.spec.proto);
    const auto l4_len = static_cast<std::uint32_t>(a.size() - l4);
    EXPECT_EQ(packet::load_be16(a.data() + field),
              packet::fold(packet::pseudo_header_sum(parsed.layers, l4_len)));  // folded, not inverted
    std::uint16_t completed = packet::finish(packet::sum_bytes(std::span<const std::uint8_t>(a).subspan(l4)));
    if (udp && completed == 0) completed = 0xFFFF;
    EXPECT_EQ(completed, packet::load_be16(b.data() + field));
    packet::store_be16(a.data() + field, 0);
    packet::store_be16(b.data() + field, 0);
    EXPECT_EQ(a, b) << "a byte besides the checksum field differs";
  }
}

// gso_split_headers: each slot holds only the segment's headers, its payload is a view into the
// super-packet, and the two together are the segment gso_split writes, with either checksum.
TEST_P(GsoSegments, ByReferenceHeadersThenPayloadAreTheCopiedSegment) {
  const SegmentCase& sc = GetParam();
  const GsoPacket g = tbtest::make_gso(sc.spec, sc.gso_size);
  for (const auto checksum : {SegmentChecksum::kComplete, SegmentChecksum::kPartial}) {
    SCOPED_TRACE(checksum == SegmentChecksum::kComplete ? "complete" : "partial");
    const Split copied = split(g.header, g.bytes, 1024, 65536, checksum);
    ASSERT_TRUE(copied.result.ok());
    Outputs out(1024, 128);  // headers only: 128 bytes per slot are plenty
    std::vector<std::span<const std::uint8_t>> payloads(1024);
    const SplitResult r = gso_split_headers(g.header, g.bytes, out.slots, out.lengths, payloads, checksum);
    ASSERT_TRUE(r.ok()) << to_string(*r.error);
    ASSERT_EQ(r.segments, sc.expected_segments);
    const auto* const begin = g.bytes.data();
    const auto* const end = begin + g.bytes.size();
    for (std::size_t i = 0; i < r.segments; ++i) {
      SCOPED_TRACE("segment " + std::to_string(i));
      EXPECT_EQ(out.lengths[i], std::size_t{g.header.hdr_len}) << "the slot holds the headers and nothing else";
      if (!payloads[i].empty()) {
        EXPECT_GE(payloads[i].data(), begin + out.lengths[i]);
        EXPECT_LE(payloads[i].data() + payloads[i].size(), end) << "the payload is a view into the super-packet";
      }
      Bytes joined = out.segment(i);
      joined.insert(joined.end(), payloads[i].begin(), payloads[i].end());
      EXPECT_EQ(joined, copied.segments[i]);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Offload, GsoSegments, ::testing::ValuesIn(segment_cases()), tbtest::case_name);

TEST(GsoNone, ByReferenceCopiesThePacketWholeWithAnEmptyPayload) {
  GsoPacket g = tbtest::make_gso(tcp4(100), 1448);
  g.header.gso_type = vnet::kGsoNone;
  g.header.gso_size = 0;
  Outputs out(2, 65536);
  std::vector<std::span<const std::uint8_t>> payloads(2, std::span<const std::uint8_t>(g.bytes));
  const SplitResult r = gso_split_headers(g.header, g.bytes, out.slots, out.lengths, payloads);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.segments, 1u);
  EXPECT_TRUE(payloads[0].empty());
  EXPECT_EQ(out.segment(0), split(g.header, g.bytes).segments.at(0)) << "as gso_split writes it, checksum completed";
  EXPECT_EQ(gso_split_headers(g.header, g.bytes, out.slots, out.lengths, {}).error, Error::kTooManySegments)
      << "no room for the payload views";
}

// ---------------------------------------------------------------------------------------------
// Focused checks on individual header fields.

TEST(GsoSplit, FlagsFinPshOnlyOnLastCwrOnlyOnFirst) {
  PacketSpec s = tcp4(4000);
  s.flags = TcpHeader::kAckFlag | TcpHeader::kPsh | TcpHeader::kFin | TcpHeader::kCwr | TcpHeader::kEce;
  const GsoPacket g = tbtest::make_gso(s, 1448);
  const Split r = split(g.header, g.bytes);
  ASSERT_EQ(r.result.segments, 3u);
  auto flags = [&](std::size_t i) { return packet::ConstTcpHeader(std::span(r.segments[i]).subspan(20)).flags(); };
  EXPECT_EQ(flags(0), TcpHeader::kAckFlag | TcpHeader::kCwr | TcpHeader::kEce);
  EXPECT_EQ(flags(1), TcpHeader::kAckFlag | TcpHeader::kEce);
  EXPECT_EQ(flags(2), TcpHeader::kAckFlag | TcpHeader::kEce | TcpHeader::kPsh | TcpHeader::kFin);
}

TEST(GsoSplit, Ipv4IdsAndSequenceNumbersWrap) {
  PacketSpec s = tcp4(4000);
  s.id = 0xFFFF;
  s.seq = 0xFFFFFA00;
  const GsoPacket g = tbtest::make_gso(s, 1448);
  const Split r = split(g.header, g.bytes);
  ASSERT_EQ(r.result.segments, 3u);
  const std::uint16_t ids[] = {0xFFFF, 0x0000, 0x0001};
  const std::uint32_t seqs[] = {0xFFFFFA00, 0xFFFFFA00 + 1448, 0xFFFFFA00u + 2 * 1448u};
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(packet::ConstIpv4Header(r.segments[i]).id(), ids[i]);
    EXPECT_EQ(packet::ConstTcpHeader(std::span(r.segments[i]).subspan(20)).seq(), seqs[i]);
  }
}

TEST(GsoSplit, Ipv6PayloadLengthCountsExtensionHeaders) {
  const PacketSpec s = with_ext(udp6(2000));  // 48 bytes of extension headers
  const GsoPacket g = tbtest::make_gso(s, 1000);
  const Split r = split(g.header, g.bytes);
  ASSERT_EQ(r.result.segments, 2u);
  EXPECT_EQ(packet::load_be16(&r.segments[0][4]), 48 + 8 + 1000);
  EXPECT_EQ(packet::load_be16(&r.segments[1][4]), 48 + 8 + 1000);
  EXPECT_EQ(r.segments[0].size(), 40u + 48 + 8 + 1000);
}

// The payload's last word is chosen so the sender's checksum computes to 0; on the wire that
// must be 0xFFFF (0 means "no checksum" for UDP/IPv4 and is illegal for UDP/IPv6).
Bytes payload_with_zero_udp_checksum(PacketSpec s, std::size_t n) {
  s.payload.assign(n, 0);
  s.payload = tbtest::pattern(n);
  s.payload[n - 2] = s.payload[n - 1] = 0;
  Bytes seg = tbtest::build_headers(s, n);
  seg.insert(seg.end(), s.payload.begin(), s.payload.end());
  auto parsed = packet::parse_ip(seg);
  const auto l4 = std::span<const std::uint8_t>(seg).subspan(parsed.layers.l4_offset);
  const std::uint64_t sum =
      packet::sum_bytes(l4, packet::pseudo_header_sum(parsed.layers, static_cast<std::uint32_t>(l4.size())));
  const std::uint16_t fix = static_cast<std::uint16_t>(0xFFFF - packet::fold(sum));
  s.payload[n - 2] = static_cast<std::uint8_t>(fix >> 8);
  s.payload[n - 1] = static_cast<std::uint8_t>(fix);
  return s.payload;
}

TEST(GsoSplit, UdpZeroChecksumSentAs0xFFFF) {
  for (const PacketSpec& base : {udp4(0), udp6(0)}) {
    PacketSpec s = base;
    s.payload = payload_with_zero_udp_checksum(s, 600);
    const GsoPacket g = tbtest::make_gso(s, 1000);
    const Split r = split(g.header, g.bytes);
    ASSERT_EQ(r.result.segments, 1u);
    const std::size_t l4 = s.version == 4 ? 20 : 40;
    EXPECT_EQ(packet::ConstUdpHeader(std::span(r.segments[0]).subspan(l4)).checksum(), 0xFFFF);
    EXPECT_TRUE(tbtest::l4_checksum_ok(r.segments[0]));
  }
}

TEST(GsoSplit, IgnoresTheIncomingChecksumField) {
  GsoPacket g = tbtest::make_gso(tcp4(3000), 1448);
  g.bytes[20 + 16] ^= 0x5A;  // garbage instead of the partial pseudo-header sum
  const Split r = split(g.header, g.bytes);
  ASSERT_EQ(r.result.segments, 3u);
  for (const auto& seg : r.segments) EXPECT_TRUE(tbtest::l4_checksum_ok(seg));
}

TEST(GsoSplit, DoesNotTouchBytesPastEachSegment) {
  const GsoPacket g = tbtest::make_gso(tcp4(3000), 1448);
  Outputs out(4, 2000);
  const SplitResult r = gso_split(g.header, g.bytes, out.slots, out.lengths);
  ASSERT_EQ(r.segments, 3u);
  for (std::size_t i = 0; i < 3; ++i)
    for (std::size_t b = out.lengths[i]; b < 2000; ++b) ASSERT_EQ(out.buffers[i][b], kFill) << i << ":" << b;
  EXPECT_EQ(out.buffers[3], Bytes(2000, kFill));
  EXPECT_EQ(out.lengths[3], 0u);
}

// ---------------------------------------------------------------------------------------------
// Output slots.

struct OutputCase {
  std::string name;
  std::size_t slots;
  std::size_t lengths;
  std::size_t slot_size;   // every slot
  std::size_t short_slot;  // index of a slot one byte smaller, or npos
  std::optional<Error> expected;
};

class GsoOutput : public ::testing::TestWithParam<OutputCase> {};

TEST_P(GsoOutput, SlotsAreCheckedBeforeWriting) {
  const OutputCase& oc = GetParam();
  const GsoPacket g = tbtest::make_gso(tcp4(3000), 1448);  // 3 segments: 1488, 1488, 144 bytes
  std::vector<Bytes> bufs(oc.slots, Bytes(oc.slot_size, kFill));
  std::vector<std::span<std::uint8_t>> slots;
  for (std::size_t i = 0; i < bufs.size(); ++i)
    slots.emplace_back(bufs[i].data(), i == oc.short_slot ? oc.slot_size - 1 : oc.slot_size);
  std::vector<std::size_t> lengths(oc.lengths);
  const SplitResult r = gso_split(g.header, g.bytes, slots, lengths);
  EXPECT_EQ(r.error, oc.expected);
  if (oc.expected) {
    for (const auto& b : bufs) EXPECT_EQ(b, Bytes(oc.slot_size, kFill));
  } else {
    EXPECT_EQ(r.segments, 3u);
  }
}

constexpr std::size_t kNone = static_cast<std::size_t>(-1);
INSTANTIATE_TEST_SUITE_P(Offload, GsoOutput,
                         ::testing::Values(OutputCase{"ExactSlotsFit", 3, 3, 1488, kNone, std::nullopt},
                                           OutputCase{"TooFewSlots", 2, 3, 1488, kNone, Error::kTooManySegments},
                                           OutputCase{"NoSlots", 0, 3, 1488, kNone, Error::kTooManySegments},
                                           OutputCase{"TooFewLengths", 3, 2, 1488, kNone, Error::kTooManySegments},
                                           OutputCase{"MiddleSlotOneByteShort", 3, 3, 1488, 1, Error::kOutputTooSmall},
                                           OutputCase{"AllSlotsTooSmall", 3, 3, 100, kNone, Error::kOutputTooSmall},
                                           OutputCase{"MoreSlotsThanSegments", 8, 8, 1488, kNone, std::nullopt}),
                         tbtest::case_name);

TEST(GsoOutputLast, LastSlotSizedForTheShortSegmentIsEnough) {
  const GsoPacket g = tbtest::make_gso(tcp4(3000), 1448);
  std::vector<Bytes> bufs{Bytes(1488), Bytes(1488), Bytes(144)};
  std::vector<std::span<std::uint8_t>> slots(bufs.begin(), bufs.end());
  std::vector<std::size_t> lengths(3);
  const SplitResult r = gso_split(g.header, g.bytes, slots, lengths);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(lengths, (std::vector<std::size_t>{1488, 1488, 144}));
  bufs[2].pop_back();
  slots[2] = bufs[2];
  EXPECT_EQ(gso_split(g.header, g.bytes, slots, lengths).error, Error::kOutputTooSmall);
}

// ---------------------------------------------------------------------------------------------
// gso_type NONE (rule 1).

vnet::VnetHeader none_header(bool needs_csum, std::uint16_t start, std::uint16_t offset) {
  vnet::VnetHeader h;
  h.flags = needs_csum ? vnet::kFlagNeedsCsum : 0;
  h.csum_start = start;
  h.csum_offset = offset;
  return h;
}

TEST(GsoNone, WithoutNeedsCsumCopiesBytesUnchanged) {
  const Bytes garbage = tbtest::pattern(77);  // not even an IP packet: nothing is parsed
  const Split r = split(none_header(false, 0, 0), garbage);
  ASSERT_EQ(r.result.segments, 1u);
  EXPECT_EQ(r.segments[0], garbage);
}

TEST(GsoNone, NeedsCsumCompletesPartialChecksums) {
  for (const PacketSpec& s : {tcp4(300), tcp6(301), udp4(302), with_ext(udp6(303)), with_options(tcp4(1))}) {
    const GsoPacket g = tbtest::make_gso(s, 1448);
    const Split r = split(none_header(true, g.header.csum_start, g.header.csum_offset), g.bytes);
    ASSERT_EQ(r.result.segments, 1u);
    EXPECT_TRUE(tbtest::l4_checksum_ok(r.segments[0]));
    EXPECT_EQ(r.segments[0], tbtest::build(s));
  }
}

TEST(GsoNone, NeedsCsumIsCompletedEvenWhenPartialChecksumsAreAsked) {
  // Partial applies to the segments of a GSO packet: a packet written whole gets its checksum.
  for (const PacketSpec& spec : {tcp4(700), udp6(700)}) {
    const GsoPacket g = tbtest::make_gso(spec, 1448);
    const Split s = split(none_header(true, g.header.csum_start, g.header.csum_offset), g.bytes, 1, 65536,
                          SegmentChecksum::kPartial);
    ASSERT_TRUE(s.result.ok());
    ASSERT_EQ(s.segments.size(), 1u);
    EXPECT_TRUE(tbtest::l4_checksum_ok(s.segments[0]));
    EXPECT_EQ(s.segments[0], tbtest::build(spec));
  }
}

TEST(GsoNone, NeedsCsumZeroResultWrittenAs0xFFFF) {
  PacketSpec s = udp4(0);
  s.payload = payload_with_zero_udp_checksum(s, 64);
  const GsoPacket g = tbtest::make_gso(s, 1448);
  const Split r = split(none_header(true, 20, 6), g.bytes);
  ASSERT_EQ(r.result.segments, 1u);
  EXPECT_EQ(packet::load_be16(&r.segments[0][26]), 0xFFFF);
  EXPECT_TRUE(tbtest::l4_checksum_ok(r.segments[0]));
}

TEST(GsoNone, OutputChecks) {
  const Bytes p = tbtest::build(tcp4(10));
  EXPECT_EQ(split(none_header(false, 0, 0), p, 0).result.error, Error::kTooManySegments);
  EXPECT_EQ(split(none_header(false, 0, 0), p, 1, p.size() - 1).result.error, Error::kOutputTooSmall);
  EXPECT_EQ(split(none_header(false, 0, 0), p, 1, p.size()).result.segments, 1u);
  EXPECT_EQ(gso_segment_count(none_header(true, 20, 16), p).segments, 1u);
  EXPECT_EQ(gso_segment_count(none_header(true, 20, 0x1000), p).error, Error::kVnetCsumOffset);
}

TEST(GsoNone, EmptyPacketWithoutNeedsCsumIsOneEmptySegment) {
  const Split r = split(none_header(false, 0, 0), Bytes{});
  ASSERT_EQ(r.result.segments, 1u);
  EXPECT_TRUE(r.segments[0].empty());
  EXPECT_EQ(split(none_header(true, 0, 0), Bytes{}).result.error, Error::kVnetCsumStart);
}

// ---------------------------------------------------------------------------------------------
// error.h

TEST(OffloadError, EveryErrorHasADistinctDescription) {
  std::set<std::string> seen;
  for (std::size_t i = 0; i < kErrorCount; ++i) {
    const std::string s = to_string(static_cast<Error>(i));
    EXPECT_FALSE(s.empty());
    EXPECT_TRUE(seen.insert(s).second) << s;
  }
  EXPECT_STREQ(to_string(static_cast<Error>(kErrorCount)), "offload error");
}

TEST(OffloadError, FromVnetMapsEveryReason) {
  const std::pair<vnet::Invalid, Error> table[] = {
      {vnet::Invalid::kGsoType, Error::kVnetGsoType},         {vnet::Invalid::kGsoEcnOnUdp, Error::kVnetGsoEcnOnUdp},
      {vnet::Invalid::kGsoSizeZero, Error::kVnetGsoSize},     {vnet::Invalid::kGsoSizeMax, Error::kVnetGsoSize},
      {vnet::Invalid::kNoNeedsCsum, Error::kVnetNoNeedsCsum}, {vnet::Invalid::kCsumStart, Error::kVnetCsumStart},
      {vnet::Invalid::kCsumOffset, Error::kVnetCsumOffset},   {vnet::Invalid::kHdrLen, Error::kVnetHdrLen},
  };
  static_assert(std::size(table) == vnet::kInvalidCount);
  for (const auto& [in, out] : table) EXPECT_EQ(from_vnet(in), out) << vnet::to_string(in);
  EXPECT_EQ(from_vnet(static_cast<vnet::Invalid>(vnet::kInvalidCount)), Error::kVnetGsoType);
}

}  // namespace
}  // namespace offload

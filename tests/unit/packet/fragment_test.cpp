// IP fragmentation (packet/fragment.h), case by case after the rule of RFC 791 (IPv4) or RFC 8200
// (IPv6) each checks: where the cuts fall, which header bytes each fragment carries, and that
// reassembly gives the original datagram back byte for byte.
#include "packet/fragment.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "packet/bytes.h"
#include "packet/encode.h"
#include "packet/ipv4_header.h"
#include "packet/ipv6_header.h"
#include "packet/tcp_header.h"
#include "packet/view.h"
#include "support/test_names.h"

namespace packet {
namespace {

using Bytes = std::vector<std::uint8_t>;

// IPv4 10.0.1.1 → 10.0.2.1 or IPv6 fd00:1::1 → fd00:2::1, DF clear, ID 0x1234.
IpFields frag_ip(int version) {
  IpFields ip;
  ip.version = version;
  ip.src = version == 4 ? std::array<std::uint8_t, 16>{10, 0, 1, 1}
                        : std::array<std::uint8_t, 16>{0xfd, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  ip.dst = version == 4 ? std::array<std::uint8_t, 16>{10, 0, 2, 1}
                        : std::array<std::uint8_t, 16>{0xfd, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  ip.id = 0x1234;
  ip.dont_fragment = false;
  return ip;
}

// A UDP (or TCP) datagram with `payload` bytes of a pattern that differs at every offset.
Bytes frag_datagram(const IpFields& ip, std::size_t payload, bool tcp = false) {
  Bytes b((tcp ? tcp_headers_size(ip, 0) : udp_headers_size(ip)) + payload);
  for (std::size_t i = b.size() - payload; i < b.size(); ++i) b[i] = static_cast<std::uint8_t>(i * 7 + 3);
  const std::size_t n =
      tcp ? encode_tcp(b, ip, {40000, 5300, 1000, 1, TcpHeader::kAckFlag, 502}, payload, L4Checksum::kFull)
          : encode_udp(b, ip, {40000, 5300}, payload, L4Checksum::kFull);
  EXPECT_EQ(n, b.size());
  return b;
}

Bytes frag_udp4(std::size_t payload) { return frag_datagram(frag_ip(4), payload); }

Bytes frag_with_options(std::span<const std::uint8_t> options, std::size_t payload) {
  auto ip = frag_ip(4);
  ip.ipv4_options = options;
  return frag_datagram(ip, payload);
}

Bytes frag_udp6(std::span<const Ipv6Extension> ext, std::size_t payload, bool tcp = false) {
  auto ip = frag_ip(6);
  ip.ipv6_extensions = ext;
  return frag_datagram(ip, payload, tcp);
}

// Options: NOP, a timestamp (68: not copied, 8 bytes), an experiment with the copied flag (0xDE =
// copy 1, class 2, number 30: RFC 4727; 6 bytes), EOL: 16 bytes.
constexpr std::array<std::uint8_t, 16> kMixedOptions = {1, 68, 8, 5, 0, 0, 0, 0, 0, 0xDE, 6, 0xAA, 0xBB, 0xCC, 0xDD, 0};
// NOP, the timestamp, EOL padding: nothing to copy.
constexpr std::array<std::uint8_t, 12> kUncopiedOptions = {1, 68, 8, 5, 0, 0, 0, 0, 0, 0, 0, 0};
constexpr std::array<std::uint8_t, 6> kPad8 = {1, 4, 0, 0, 0, 0};
constexpr std::array<std::uint8_t, 6> kRouting8 = {0, 0, 0, 0, 0, 0};  // type 0, segments left 0

Bytes with_byte(Bytes b, std::size_t at, std::uint8_t v) {
  b[at] = v;
  return b;
}

// ---- IPv4 (RFC 791) ----

struct Ipv4FragmentCase {
  std::string name;
  Bytes packet;
  std::size_t size = 0;
  std::vector<std::size_t> data_sizes;  // of each fragment; empty: refused
  std::size_t later_header = 20;        // the header of every fragment after the first
};
// gtest names a failing case by this rather than its bytes.
void PrintTo(const Ipv4FragmentCase& c, std::ostream* os) { *os << c.name; }

std::vector<Ipv4FragmentCase> ipv4_fragment_cases() {
  // A middle fragment of a larger datagram: offset 32 units, MF set.
  Bytes middle = frag_udp4(192);
  Ipv4Header(middle).set_flags_fragment(Ipv4Header::kFlagMF | 32);
  Ipv4Header(middle).update_checksum();
  Bytes df = frag_udp4(600);
  Ipv4Header(df).set_flags_fragment(Ipv4Header::kFlagDF);
  Ipv4Header(df).update_checksum();
  const std::array<std::uint8_t, 4> bad_option = {68, 1, 0, 0};  // length below 2
  return {
      {"Rfc791_DataIsCutIntoMultiplesOfEightAndTheLastTakesTheRest", frag_udp4(600), 256, {256, 256, 96}},
      {"Rfc791_LastFragmentMayBeAFullOne", frag_udp4(504), 256, {256, 256}},
      {"Rfc791_EightBytesIsTheSmallestUnit", frag_udp4(16), 8, {8, 8, 8}},
      {"Rfc791_TcpIsCutLikeAnyData", frag_datagram(frag_ip(4), 600, true), 200, {200, 200, 200, 20}},
      {"Rfc791_ADatagramThatFitsIsNotFragmented", frag_udp4(600), 608, {608}},
      {"Rfc791_DontFragmentForbidsFragmentation", df, 256, {}},
      {"Rfc791_ADatagramThatFitsMayCarryDontFragment", df, 1024, {608}},
      {"Rfc791_FragmentDataNotAMultipleOfEightIsRefused", frag_udp4(600), 100, {}},
      {"Rfc791_NoFragmentDataIsRefused", frag_udp4(600), 0, {}},
      {"Rfc791_OnlyCopiedOptionsRepeatInLaterFragments", frag_with_options(kMixedOptions, 300), 160, {160, 148}, 28},
      {"Rfc791_OptionsWithoutCopiedFlagStayInTheFirst", frag_with_options(kUncopiedOptions, 300), 160, {160, 148}, 20},
      {"Rfc791_AFragmentIsCutAgainFromItsOwnOffset", middle, 64, {64, 64, 64, 8}},
      {"Rfc791_MalformedOptionIsRefused", frag_with_options(bad_option, 300), 160, {}},
      {"Rfc791_TotalLengthNotTheBytesIsRefused", with_byte(frag_udp4(600), 3, 1), 256, {}},
      {"Rfc791_NotIpv4IsRefused", frag_udp6({}, 600), 256, {}},
  };
}

class FragmentIpv4 : public ::testing::TestWithParam<Ipv4FragmentCase> {};

TEST_P(FragmentIpv4, CutsWhereTheRuleSays) {
  const auto& c = GetParam();
  const auto fragments = fragment_ipv4(c.packet, c.size);
  ASSERT_EQ(fragments.size(), c.data_sizes.size());
  if (fragments.empty()) return;
  const ConstIpv4Header in(c.packet);
  if (fragments.size() == 1) {
    EXPECT_EQ(fragments[0], c.packet) << "returned unchanged";
    return;
  }
  std::size_t at = 0;  // data bytes before this fragment
  Bytes data;
  for (std::size_t i = 0; i < fragments.size(); ++i) {
    const auto& f = fragments[i];
    const ConstIpv4Header h(f);
    const std::size_t header = i == 0 ? in.header_length() : c.later_header;
    SCOPED_TRACE("fragment " + std::to_string(i));
    ASSERT_EQ(h.header_length(), header);
    EXPECT_EQ(f.size() - header, c.data_sizes[i]);
    EXPECT_EQ(h.total_length(), f.size());
    EXPECT_TRUE(h.checksum_valid());
    EXPECT_EQ(h.fragment_offset(), in.fragment_offset() + at / 8);
    const bool last = i + 1 == fragments.size();
    EXPECT_EQ(h.more_fragments(), !last || in.more_fragments());
    EXPECT_FALSE(h.flags_fragment() & Ipv4Header::kFlagDF);
    // Everything else of the fixed header is copied: TOS, ID, TTL, protocol, addresses.
    EXPECT_EQ(h.tos(), in.tos());
    EXPECT_EQ(h.id(), in.id());
    EXPECT_EQ(h.ttl(), in.ttl());
    EXPECT_EQ(h.protocol(), in.protocol());
    EXPECT_TRUE(std::equal(f.begin() + 12, f.begin() + 20, c.packet.begin() + 12));
    if (i == 0) {
      EXPECT_TRUE(std::equal(f.begin() + 20, f.begin() + static_cast<std::ptrdiff_t>(header), c.packet.begin() + 20))
          << "the first fragment keeps every option";
    }
    data.insert(data.end(), f.begin() + static_cast<std::ptrdiff_t>(header), f.end());
    at += f.size() - header;
  }
  EXPECT_EQ(data, Bytes(c.packet.begin() + static_cast<std::ptrdiff_t>(in.header_length()), c.packet.end()));
  if (!in.is_fragment()) {
    const auto whole = reassemble_ipv4(fragments);
    ASSERT_TRUE(whole.has_value());
    EXPECT_EQ(*whole, c.packet) << "reassembly gives the original back";
  }
}

INSTANTIATE_TEST_SUITE_P(Packet, FragmentIpv4, ::testing::ValuesIn(ipv4_fragment_cases()), tbtest::case_name);

TEST(FragmentIpv4, Rfc791_LaterFragmentsCarryTheCopiedOptionPaddedWithEndOfList) {
  const auto fragments = fragment_ipv4(frag_with_options(kMixedOptions, 300), 160);
  ASSERT_EQ(fragments.size(), 2u);
  const ConstIpv4Header later(fragments[1]);
  ASSERT_EQ(later.ihl(), 7);
  EXPECT_EQ(Bytes(later.options().begin(), later.options().end()), (Bytes{0xDE, 6, 0xAA, 0xBB, 0xCC, 0xDD, 0, 0}));
}

TEST(FragmentIpv4, Rfc791_FragmentsOfAFragmentReassembleWithTheOthersIntoTheDatagram) {
  const Bytes datagram = frag_udp4(600);
  auto pieces = fragment_ipv4(datagram, 256);
  ASSERT_EQ(pieces.size(), 3u);
  const auto middle = fragment_ipv4(pieces[1], 64);
  ASSERT_EQ(middle.size(), 4u);
  const Fragments all = {pieces[2], middle[3], middle[1], pieces[0], middle[0], middle[2]};
  const auto whole = reassemble_ipv4(all);
  ASSERT_TRUE(whole.has_value());
  EXPECT_EQ(*whole, datagram);
}

// ---- IPv6 (RFC 8200 §4.5) ----

struct Ipv6FragmentCase {
  std::string name;
  Bytes packet;
  std::size_t size = 0;
  std::vector<std::size_t> data_sizes;  // of each fragment; empty: refused
  std::size_t unfragmentable = 40;      // bytes in front of the Fragment header
  std::uint8_t first_fragmentable = kProtoUdp;
};
void PrintTo(const Ipv6FragmentCase& c, std::ostream* os) { *os << c.name; }

std::vector<Ipv6FragmentCase> ipv6_fragment_cases() {
  const Ipv6Extension hbh{kProtoHopByHop, kPad8}, dst{kProtoDestOpts, kPad8}, routing{kProtoRouting, kRouting8};
  static const std::vector<Ipv6Extension> hbh_only = {hbh}, dst_only = {dst},
                                          hbh_dst_routing_dst = {hbh, dst, routing, dst};
  static const std::vector<Ipv6Extension> hbh_dst = {hbh, dst};
  Bytes fragmented = frag_udp6({}, 600);
  fragmented = fragment_ipv6(fragmented, 256, 7).at(0);
  return {
      {"Rfc8200_TheFragmentHeaderFollowsTheFixedHeader", frag_udp6({}, 600), 256, {256, 256, 96}},
      {"Rfc8200_HopByHopIsUnfragmentable", frag_udp6(hbh_only, 600), 256, {256, 256, 96}, 48},
      {"Rfc8200_DestinationOptionsWithoutRoutingAreFragmentable",
       frag_udp6(dst_only, 600),
       256,
       {256, 256, 104},
       40,
       kProtoDestOpts},
      {"Rfc8200_EverythingUpToTheRoutingHeaderIsUnfragmentable",
       frag_udp6(hbh_dst_routing_dst, 600),
       256,
       {256, 256, 104},
       64,
       kProtoDestOpts},
      {"Rfc8200_DestinationOptionsAfterHopByHopAreFragmentable",
       frag_udp6(hbh_dst, 600),
       256,
       {256, 256, 104},
       48,
       kProtoDestOpts},
      {"Rfc8200_TcpIsCutLikeAnyData", frag_udp6({}, 600, true), 200, {200, 200, 200, 20}, 40, kProtoTcp},
      {"Rfc8021_APacketThatFitsGetsNoAtomicFragment", frag_udp6({}, 600), 608, {608}},
      {"Rfc8200_FragmentDataNotAMultipleOfEightIsRefused", frag_udp6({}, 600), 100, {}},
      {"Rfc8200_AFirstFragmentWithoutTheWholeTcpHeaderIsRefused", frag_udp6({}, 600, true), 16, {}},
      {"Rfc8200_AFirstFragmentWithoutTheWholeChainIsRefused", frag_udp6(dst_only, 600), 8, {}},
      {"Rfc8200_AFragmentIsNotCutAgain", fragmented, 64, {}},
      {"Rfc8200_PayloadLengthNotTheBytesIsRefused", with_byte(frag_udp6({}, 600), 5, 1), 256, {}},
      {"Rfc8200_NotIpv6IsRefused", frag_udp4(600), 256, {}},
  };
}

// The first `n` bytes of `p` with the payload length zeroed and `next` at `next_field`.
Bytes frag_unfragmentable(const Bytes& p, std::size_t n, std::size_t next_field, std::uint8_t next) {
  Bytes b(p.begin(), p.begin() + static_cast<std::ptrdiff_t>(n));
  b[4] = b[5] = 0;
  b[next_field] = next;
  return b;
}

class FragmentIpv6 : public ::testing::TestWithParam<Ipv6FragmentCase> {};

TEST_P(FragmentIpv6, CutsWhereTheRuleSays) {
  const auto& c = GetParam();
  constexpr std::uint32_t kId = 0xA1B2C3D4;
  const auto fragments = fragment_ipv6(c.packet, c.size, kId);
  ASSERT_EQ(fragments.size(), c.data_sizes.size());
  if (fragments.empty()) return;
  if (fragments.size() == 1) {
    EXPECT_EQ(fragments[0], c.packet) << "returned unchanged";
    return;
  }
  // The field that named the first fragmentable header: byte 6, or the last unfragmentable
  // extension header's first byte.
  std::size_t next_field = 6;
  for (std::size_t at = 40; at < c.unfragmentable; at += (std::size_t{c.packet[at + 1]} + 1) * 8) next_field = at;
  ASSERT_EQ(c.packet[next_field], c.first_fragmentable);
  std::size_t at = 0;
  Bytes data;
  for (std::size_t i = 0; i < fragments.size(); ++i) {
    const auto& f = fragments[i];
    SCOPED_TRACE("fragment " + std::to_string(i));
    ASSERT_GE(f.size(), c.unfragmentable + kIpv6FragmentHeaderSize);
    EXPECT_EQ(f.size() - c.unfragmentable - kIpv6FragmentHeaderSize, c.data_sizes[i]);
    EXPECT_EQ(ConstIpv6Header(f).payload_length(), f.size() - 40);
    // The unfragmentable part is copied, its last next-header field now names the Fragment header.
    EXPECT_EQ(f[next_field], kProtoFragment);
    EXPECT_EQ(frag_unfragmentable(f, c.unfragmentable, next_field, c.first_fragmentable),
              frag_unfragmentable(c.packet, c.unfragmentable, next_field, c.first_fragmentable))
        << "only the payload length and the next header differ";
    const std::uint8_t* fh = f.data() + c.unfragmentable;
    EXPECT_EQ(fh[0], c.first_fragmentable);
    EXPECT_EQ(fh[1], 0) << "reserved";
    const bool last = i + 1 == fragments.size();
    EXPECT_EQ(load_be16(fh + 2), (at / 8) << 3 | (last ? 0 : 1)) << "offset, reserved bits 0, M";
    EXPECT_EQ(load_be32(fh + 4), kId);
    data.insert(data.end(), f.begin() + static_cast<std::ptrdiff_t>(c.unfragmentable + kIpv6FragmentHeaderSize),
                f.end());
    at += c.data_sizes[i];
  }
  EXPECT_EQ(data, Bytes(c.packet.begin() + static_cast<std::ptrdiff_t>(c.unfragmentable), c.packet.end()));
  const auto whole = reassemble_ipv6(fragments);
  ASSERT_TRUE(whole.has_value());
  EXPECT_EQ(*whole, c.packet) << "reassembly gives the original back";
}

INSTANTIATE_TEST_SUITE_P(Packet, FragmentIpv6, ::testing::ValuesIn(ipv6_fragment_cases()), tbtest::case_name);

// ---- Reassembly: only fragments that cover one datagram exactly once make it ----

struct ReassemblyCase {
  std::string name;
  int version = 4;
  std::function<Fragments(Fragments)> edit;  // applied to the fragments of a 600-byte UDP datagram
  bool ok = false;
};
void PrintTo(const ReassemblyCase& c, std::ostream* os) { *os << c.name; }

Fragments frag_drop(Fragments f, std::size_t i) {
  f.erase(f.begin() + static_cast<std::ptrdiff_t>(i));
  return f;
}

std::vector<ReassemblyCase> reassembly_cases() {
  return {
      {"Rfc791_AnyOrder", 4,
       [](Fragments f) {
         return Fragments{f[2], f[0], f[1]};
       },
       true},
      {"Rfc8200_AnyOrder", 6,
       [](Fragments f) {
         return Fragments{f[1], f[2], f[0]};
       },
       true},
      {"Rfc791_AMissingMiddleIsAGap", 4, [](Fragments f) { return frag_drop(f, 1); }},
      {"Rfc8200_AMissingMiddleIsAGap", 6, [](Fragments f) { return frag_drop(f, 1); }},
      {"Rfc791_NoLastFragment", 4, [](Fragments f) { return frag_drop(f, 2); }},
      {"Rfc8200_NoLastFragment", 6, [](Fragments f) { return frag_drop(f, 2); }},
      {"Rfc791_NoFirstFragment", 4, [](Fragments f) { return frag_drop(f, 0); }},
      {"Rfc8200_NoFirstFragment", 6, [](Fragments f) { return frag_drop(f, 0); }},
      {"Rfc791_ARepeatedFragmentOverlaps", 4,
       [](Fragments f) {
         return Fragments{f[0], f[1], f[1], f[2]};
       }},
      {"Rfc8200_ARepeatedFragmentOverlaps", 6,
       [](Fragments f) {
         return Fragments{f[0], f[1], f[1], f[2]};
       }},
      {"Rfc791_AnotherIdIsAnotherDatagram", 4,
       [](Fragments f) {
         Ipv4Header(f[1]).set_id(0x9999);
         Ipv4Header(f[1]).update_checksum();
         return f;
       }},
      {"Rfc8200_AnotherIdentificationIsAnotherDatagram", 6,
       [](Fragments f) {
         f[1][40 + 7] ^= 1;
         return f;
       }},
      {"Rfc8200_AnotherSourceIsAnotherDatagram", 6,
       [](Fragments f) {
         f[2][9] ^= 1;
         return f;
       }},
      {"Rfc791_NoFragmentsNoDatagram", 4, [](Fragments) { return Fragments{}; }},
  };
}

class Reassembly : public ::testing::TestWithParam<ReassemblyCase> {};

TEST_P(Reassembly, NeedsEveryByteExactlyOnce) {
  const auto& c = GetParam();
  const Bytes datagram = c.version == 4 ? frag_udp4(600) : frag_udp6({}, 600);
  const auto fragments = c.version == 4 ? fragment_ipv4(datagram, 256) : fragment_ipv6(datagram, 256, 5);
  ASSERT_EQ(fragments.size(), 3u);
  const auto whole = c.version == 4 ? reassemble_ipv4(c.edit(fragments)) : reassemble_ipv6(c.edit(fragments));
  ASSERT_EQ(whole.has_value(), c.ok);
  if (c.ok) {
    EXPECT_EQ(*whole, datagram);
  }
}

INSTANTIATE_TEST_SUITE_P(Packet, Reassembly, ::testing::ValuesIn(reassembly_cases()), tbtest::case_name);

TEST(Reassembly, APacketThatIsNoFragmentIsItsOwnDatagram) {
  const Bytes v4 = frag_udp4(100), v6 = frag_udp6({}, 100);
  EXPECT_EQ(reassemble_ipv4({v4}), v4);
  EXPECT_EQ(reassemble_ipv6({v6}), v6);
  EXPECT_FALSE(reassemble_ipv4({v4, v4}).has_value()) << "twice the same datagram overlaps";
}

}  // namespace
}  // namespace packet

#include "check/packet_diff.h"

#include <algorithm>
#include <cstdint>

#include <fmt/format.h>

#include "packet/encode.h"
#include "packet/ipv4_header.h"
#include "packet/ipv6_header.h"
#include "packet/tcp_header.h"
#include "packet/view.h"

namespace check {
namespace {

// A field of a header: its first byte, its size and its name.
struct Field {
  std::size_t at;
  std::size_t size;
  const char* name;
};

constexpr Field kIpv4Fields[] = {
    {0, 1, "version/IHL"},     {1, 1, "TOS"},
    {2, 2, "total length"},    {4, 2, "ID"},
    {6, 2, "flags/fragment"},  {8, 1, "TTL"},
    {9, 1, "protocol"},        {10, 2, "header checksum"},
    {12, 4, "source address"}, {16, 4, "destination address"},
};
constexpr Field kIpv6Fields[] = {
    {0, 4, "version/traffic class/flow label"},
    {4, 2, "payload length"},
    {6, 1, "next header"},
    {7, 1, "hop limit"},
    {8, 16, "source address"},
    {24, 16, "destination address"},
};
constexpr Field kTcpFields[] = {
    {0, 2, "source port"},     {2, 2, "destination port"}, {4, 4, "sequence number"}, {8, 4, "acknowledgment number"},
    {12, 1, "data offset"},    {13, 1, "flags"},           {14, 2, "window"},         {16, 2, "checksum"},
    {18, 2, "urgent pointer"},
};
constexpr Field kUdpFields[] = {
    {0, 2, "source port"}, {2, 2, "destination port"}, {4, 2, "length"}, {6, 2, "checksum"}};
constexpr Field kEchoFields[] = {
    {0, 1, "type"}, {1, 1, "code"}, {2, 2, "checksum"}, {4, 2, "identifier"}, {6, 2, "sequence number"}};

template <std::size_t N>
const char* name_in(const Field (&fields)[N], std::size_t offset) {
  for (const auto& f : fields)
    if (offset >= f.at && offset < f.at + f.size) return f.name;
  return nullptr;
}

const char* extension_name(std::uint8_t type) {
  switch (type) {
    case packet::kProtoHopByHop: return "hop-by-hop";
    case packet::kProtoRouting: return "routing";
    case packet::kProtoDestOpts: return "destination options";
    case packet::kProtoFragment: return "fragment";
    default: return "unknown";
  }
}

// The field of the L4 header of protocol `protocol` at `offset` into it; past the header,
// the payload byte.
std::string l4_field(std::span<const std::uint8_t> l4, std::uint8_t protocol, std::size_t offset) {
  if (protocol == packet::kProtoTcp) {
    const std::size_t header =
        packet::ConstTcpHeader::fits(l4) ? packet::ConstTcpHeader(l4).header_length() : packet::TcpHeader::kMinSize;
    if (offset < packet::TcpHeader::kMinSize) return fmt::format("TCP {}", name_in(kTcpFields, offset));
    if (offset < header) return fmt::format("TCP option byte {}", offset - packet::TcpHeader::kMinSize);
    return fmt::format("payload byte {}", offset - header);
  }
  if (protocol == packet::kProtoUdp) {
    if (offset < 8) return fmt::format("UDP {}", name_in(kUdpFields, offset));
    return fmt::format("payload byte {}", offset - 8);
  }
  if (protocol == packet::kProtoIcmp || protocol == packet::kProtoIcmpv6) {
    const char* proto = protocol == packet::kProtoIcmp ? "ICMP" : "ICMPv6";
    if (offset < packet::kIcmpEchoHeaderSize) return fmt::format("{} {}", proto, name_in(kEchoFields, offset));
    return fmt::format("{} data byte {}", proto, offset - packet::kIcmpEchoHeaderSize);
  }
  return fmt::format("protocol {} byte {}", protocol, offset);
}

}  // namespace

std::string field_at(std::span<const std::uint8_t> p, std::size_t offset) {
  if (offset >= p.size()) return "beyond the packet";
  const int version = p[0] >> 4;
  if (version == 4 && packet::ConstIpv4Header::fits(p)) {
    const packet::ConstIpv4Header ip(p);
    const std::size_t l3 = ip.header_length();
    if (offset < packet::Ipv4Header::kMinSize) return fmt::format("IPv4 {}", name_in(kIpv4Fields, offset));
    if (offset < l3) return fmt::format("IPv4 option byte {}", offset - packet::Ipv4Header::kMinSize);
    return l4_field(p.subspan(l3), ip.protocol(), offset - l3);
  }
  if (version == 6 && packet::ConstIpv6Header::fits(p)) {
    if (offset < packet::Ipv6Header::kSize) return fmt::format("IPv6 {}", name_in(kIpv6Fields, offset));
    std::uint8_t next = packet::ConstIpv6Header(p).next_header();
    std::size_t at = packet::Ipv6Header::kSize;
    for (int n = 1;; ++n) {
      const bool extension = next == packet::kProtoHopByHop || next == packet::kProtoRouting ||
                             next == packet::kProtoDestOpts || next == packet::kProtoFragment;
      if (!extension || at + 2 > p.size()) break;
      const std::size_t size = next == packet::kProtoFragment ? 8 : (std::size_t{p[at + 1]} + 1) * 8;
      if (offset < at + size)
        return fmt::format("IPv6 extension header {} ({}) byte {}", n, extension_name(next), offset - at);
      next = p[at];
      at += size;
    }
    return l4_field(p.subspan(std::min(at, p.size())), next, offset - at);
  }
  return fmt::format("byte {} of a packet that is not IPv4 or IPv6", offset);
}

std::optional<std::string> first_difference(std::span<const std::uint8_t> expected, std::span<const std::uint8_t> got) {
  const std::size_t common = std::min(expected.size(), got.size());
  for (std::size_t i = 0; i < common; ++i)
    if (expected[i] != got[i])
      return fmt::format("byte {} ({}): {:#04x} written as {:#04x}", i, field_at(expected, i), expected[i], got[i]);
  if (expected.size() == got.size()) return std::nullopt;
  return fmt::format("{} bytes written as {} (equal up to byte {})", expected.size(), got.size(), common);
}

}  // namespace check

#include "packet/ip_packet.h"

#include "packet/checksum.h"
#include "packet/ipv4_header.h"
#include "packet/ipv6_header.h"

namespace packet {

namespace {
IpParseResult fail(IpParseError e) { return IpParseResult{{}, false, e}; }
}  // namespace

IpParseResult parse_ip(std::span<const std::uint8_t> p) { return parse_ip(p, p.size()); }

IpParseResult parse_ip(std::span<const std::uint8_t> p, std::size_t length) {
  if (p.empty()) return fail(IpParseError::kVersion);
  const std::uint8_t version = p[0] >> 4;
  if (version == 4) {
    if (!ConstIpv4Header::fits(p)) return fail(IpParseError::kIpv4Header);
    ConstIpv4Header ip(p);
    if (ip.ihl() < 5 || ip.header_length() > p.size()) return fail(IpParseError::kIpv4Header);
    if (ip.total_length() != length) return fail(IpParseError::kIpv4Length);
    if (ip.is_fragment()) return fail(IpParseError::kIpv4Fragment);
    IpLayers l{4, ip.header_length(), ip.protocol(), ip.src(), ip.dst(), false};
    return IpParseResult{l, true, {}};
  }
  if (version == 6) {
    if (!ConstIpv6Header::fits(p)) return fail(IpParseError::kIpv6Length);
    ConstIpv6Header ip(p);
    if (std::size_t{ip.payload_length()} + ConstIpv6Header::kSize != length) return fail(IpParseError::kIpv6Length);
    std::size_t off = ConstIpv6Header::kSize;
    std::uint8_t next = ip.next_header();
    bool ext = false;
    // Hop-by-hop, routing and destination options share the layout: next(1) len(1) in 8-byte
    // units not counting the first 8.
    while (next == kProtoHopByHop || next == kProtoRouting || next == kProtoDestOpts || next == kProtoFragment) {
      if (next == kProtoFragment) return fail(IpParseError::kIpv6Fragment);
      if (off + 8 > p.size()) return fail(IpParseError::kIpv6ExtHeader);
      const std::size_t len = (std::size_t{p[off + 1]} + 1) * 8;
      if (off + len > p.size()) return fail(IpParseError::kIpv6ExtHeader);
      next = p[off];
      off += len;
      ext = true;
    }
    IpLayers l{6, off, next, ip.src(), ip.dst(), ext};
    return IpParseResult{l, true, {}};
  }
  return fail(IpParseError::kVersion);
}

const char* to_string(IpParseError e) {
  switch (e) {
    case IpParseError::kVersion: return "IP version not 4 or 6";
    case IpParseError::kIpv4Header: return "IPv4 header length invalid";
    case IpParseError::kIpv4Length: return "IPv4 total length does not match the packet";
    case IpParseError::kIpv4Fragment: return "IPv4 fragment";
    case IpParseError::kIpv6Length: return "IPv6 payload length does not match the packet";
    case IpParseError::kIpv6ExtHeader: return "IPv6 extension header truncated";
    case IpParseError::kIpv6Fragment: return "IPv6 fragment header";
  }
  return "IP header invalid";
}

std::uint64_t pseudo_header_sum(const IpLayers& l, std::uint32_t l4_length) {
  if (l.version == 4) return pseudo_header_sum_v4(l.src.first<4>(), l.dst.first<4>(), l.l4_protocol, l4_length);
  return pseudo_header_sum_v6(l.src.first<16>(), l.dst.first<16>(), l.l4_protocol, l4_length);
}

}  // namespace packet

#pragma once
// Locates the layers of one IP packet: version, where L4 starts (after IPv4 options or IPv6
// extension headers), which L4 protocol, and the addresses for pseudo-headers and flows.
#include <cstddef>
#include <cstdint>
#include <span>

namespace packet {

enum class IpParseError : std::uint8_t {
  kVersion,        // first nibble not 4 or 6
  kIpv4Header,     // shorter than 20, IHL < 5, or IHL*4 beyond the packet
  kIpv4Length,     // total length != packet length
  kIpv4Fragment,   // MF or fragment offset set
  kIpv6Length,     // shorter than 40 or payload length != packet length - 40
  kIpv6ExtHeader,  // extension header truncated
  kIpv6Fragment,   // fragment header in the chain
};

struct IpLayers {
  std::uint8_t version = 0;           // 4 or 6
  std::size_t l4_offset = 0;          // bytes from the IP header start to the L4 header
  std::uint8_t l4_protocol = 0;       // protocol / last next-header value
  std::span<const std::uint8_t> src;  // 4 or 16 bytes
  std::span<const std::uint8_t> dst;
  bool ipv6_has_ext = false;  // IPv6 next header was not the L4 protocol directly
};

struct IpParseResult {
  IpLayers layers;
  bool ok = false;
  IpParseError error = IpParseError::kVersion;
};

// Strict parse for the offload engine: lengths must match the buffer exactly and fragments are
// rejected. Walks IPv6 hop-by-hop, routing and destination-options headers.
IpParseResult parse_ip(std::span<const std::uint8_t> packet);
// The same for a packet `length` bytes long whose first bytes are `head` (its payload lies
// elsewhere, offload::Segment): the lengths must match `length`, every header must lie in `head`.
IpParseResult parse_ip(std::span<const std::uint8_t> head, std::size_t length);

const char* to_string(IpParseError e);

// Pseudo-header sum for the L4 segment of a parsed packet with the given L4 length.
std::uint64_t pseudo_header_sum(const IpLayers& layers, std::uint32_t l4_length);

}  // namespace packet

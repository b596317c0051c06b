#pragma once
// Writing packets: the IP and TCP/UDP headers in front of a payload that is already in place.
// Whoever builds a packet (the userspace stack, tools, tests) fills these fields instead of
// re-deriving header layouts. The payload is placed first (read or peeked straight into the
// buffer at headers_size()), then encode_*() writes the headers and lengths around it.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace packet {

struct IpFields {
  int version = 4;                     // 4 or 6
  std::array<std::uint8_t, 16> src{};  // IPv4: the first 4 bytes
  std::array<std::uint8_t, 16> dst{};
  std::uint8_t ttl = 64;         // hop limit for IPv6
  std::uint8_t tos = 0;          // traffic class for IPv6
  std::uint16_t id = 0;          // IPv4 only
  bool dont_fragment = true;     // IPv4 only
  std::uint32_t flow_label = 0;  // IPv6 only
};

struct TcpFields {
  std::uint16_t src_port = 0;
  std::uint16_t dst_port = 0;
  std::uint32_t seq = 0;
  std::uint32_t ack = 0;
  std::uint8_t flags = 0;                   // TcpHeader::kSyn | kAckFlag …
  std::uint16_t window = 0;                 // as sent (already scaled down)
  std::span<const std::uint8_t> options{};  // a multiple of 4 bytes, at most 40
};

struct UdpFields {
  std::uint16_t src_port = 0;
  std::uint16_t dst_port = 0;
};

// How the L4 checksum field is filled.
enum class L4Checksum {
  kFull,     // the complete checksum over pseudo-header, header and payload
  kPartial,  // the folded pseudo-header sum, not inverted: for a write with NEEDS_CSUM (the
             // kernel or the receiver completes it; docs/offload.md §7), and for GSO writes
};

std::size_t ip_header_size(int version);
// Bytes in front of the payload: IP header + TCP header with `options_size` option bytes.
std::size_t tcp_headers_size(int version, std::size_t options_size);
std::size_t udp_headers_size(int version);

// Writes the headers into out[0, tcp_headers_size()) for a payload of `payload_size` bytes
// already at out[tcp_headers_size(), …). Returns the packet's total length, or 0 when it does
// not fit `out`, exceeds 65535 bytes of IP, or the options are not a multiple of 4 up to 40.
std::size_t encode_tcp(std::span<std::uint8_t> out, const IpFields& ip, const TcpFields& tcp, std::size_t payload_size,
                       L4Checksum checksum);
// The same for UDP (a full checksum of 0 is sent as 0xFFFF, docs/offload.md §7).
std::size_t encode_udp(std::span<std::uint8_t> out, const IpFields& ip, const UdpFields& udp, std::size_t payload_size,
                       L4Checksum checksum);

}  // namespace packet

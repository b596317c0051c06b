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

// One IPv6 extension header (hop-by-hop, destination options, routing…): the encoder writes its
// next-header and length bytes, `body` is everything after them (options, padding included);
// 2 + body.size() must be a multiple of 8.
struct Ipv6Extension {
  std::uint8_t type = 60;  // kProtoDestOpts
  std::span<const std::uint8_t> body{};
};

struct IpFields {
  int version = 4;                     // 4 or 6
  std::array<std::uint8_t, 16> src{};  // IPv4: the first 4 bytes
  std::array<std::uint8_t, 16> dst{};
  std::uint8_t ttl = 64;         // hop limit for IPv6
  std::uint8_t tos = 0;          // traffic class for IPv6
  std::uint16_t id = 0;          // IPv4 only
  bool dont_fragment = true;     // IPv4 only
  std::uint32_t flow_label = 0;  // IPv6 only
  // IPv4 options after the fixed header, already padded: a multiple of 4 bytes, at most 40.
  std::span<const std::uint8_t> ipv4_options{};
  // IPv6 extension headers between the fixed header and L4, in this order.
  std::span<const Ipv6Extension> ipv6_extensions{};
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
// The IP part in front of L4 with `ip`'s IPv4 options or IPv6 extension headers; 0 when they
// are malformed (options not a multiple of 4 up to 40, an extension header not a multiple of 8).
std::size_t ip_headers_size(const IpFields& ip);
// Bytes in front of the payload: IP header + TCP header with `options_size` option bytes.
std::size_t tcp_headers_size(int version, std::size_t options_size);
std::size_t udp_headers_size(int version);
// The same with `ip`'s options or extension headers in front.
std::size_t tcp_headers_size(const IpFields& ip, std::size_t options_size);
std::size_t udp_headers_size(const IpFields& ip);

// Writes the headers into out[0, tcp_headers_size(ip, …)) for a payload of `payload_size` bytes
// already at out[tcp_headers_size(ip, …), …), IPv4 options or IPv6 extension headers included.
// Returns the packet's total length, or 0 when it does not fit `out`, exceeds 65535 bytes of IP,
// the TCP options are not a multiple of 4 up to 40, or ip_headers_size(ip) is 0.
std::size_t encode_tcp(std::span<std::uint8_t> out, const IpFields& ip, const TcpFields& tcp, std::size_t payload_size,
                       L4Checksum checksum);
// The same for UDP (a full checksum of 0 is sent as 0xFFFF, docs/offload.md §7).
std::size_t encode_udp(std::span<std::uint8_t> out, const IpFields& ip, const UdpFields& udp, std::size_t payload_size,
                       L4Checksum checksum);

// ICMP (IPv4, protocol 1) and ICMPv6 (next header 58) echo messages.
inline constexpr std::uint8_t kProtoIcmp = 1;
inline constexpr std::uint8_t kProtoIcmpv6 = 58;
inline constexpr std::size_t kIcmpEchoHeaderSize = 8;

struct IcmpEchoFields {
  bool reply = false;  // echo reply (0 / 129) instead of request (8 / 128)
  std::uint16_t id = 0;
  std::uint16_t seq = 0;
};

std::size_t icmp_echo_headers_size(const IpFields& ip);
// The same contract as encode_tcp for an echo message; the ICMP checksum is always complete
// (over the message, and for ICMPv6 the pseudo-header too).
std::size_t encode_icmp_echo(std::span<std::uint8_t> out, const IpFields& ip, const IcmpEchoFields& echo,
                             std::size_t payload_size);

}  // namespace packet

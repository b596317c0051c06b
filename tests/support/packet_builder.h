#pragma once
// Test support: builds IPv4/IPv6 TCP/UDP packets (with IPv4 options, TCP options, IPv6 extension
// headers) carrying valid checksums, and GSO super-packets shaped the way a TUN read delivers
// them (docs/offload.md §3: whole-packet lengths, partial pseudo-header checksum, NEEDS_CSUM), the
// checksum refresh after a test edits a header by hand, and the checks and readers tests apply
// to packets. The headers are written by the production encoder (packet/encode.h): this file maps
// a PacketSpec onto its fields and does not lay out headers itself. Self-contained (no other
// support header) so bench/ can include it by path too; it needs tb_packet and tb_vnet, which
// bench/ links through tb_offload.
//
//   tbtest::PacketSpec s;            // TCPv4 10.0.0.1:1000 -> 10.0.0.2:2000, ACK, no payload
//   s.payload = tbtest::pattern(3000);
//   auto plain = tbtest::build(s);              // checksums complete
//   auto gso = tbtest::make_gso(s, 1448);       // {vnet header, super-packet}
//   EXPECT_TRUE(tbtest::l4_checksum_ok(plain));
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "packet/bytes.h"
#include "packet/checksum.h"
#include "packet/encode.h"
#include "packet/ip_packet.h"
#include "packet/ipv4_header.h"
#include "packet/ipv6_header.h"
#include "packet/tcp_header.h"
#include "packet/udp_header.h"
#include "packet/view.h"
#include "vnet/vnet_header.h"

namespace tbtest {

using Bytes = std::vector<std::uint8_t>;

// One IPv6 extension header (hop-by-hop 0, routing 43, destination options 60, fragment 44).
// `size` is its length in bytes: a multiple of 8, at least 8. The body is zero (Pad1 options),
// except a routing header gets segments-left 0 so it is a valid no-op.
struct Ipv6Ext {
  std::uint8_t type = packet::kProtoDestOpts;
  std::size_t size = 8;
};

struct PacketSpec {
  int version = 4;                                // 4 or 6
  std::uint8_t proto = packet::kProtoTcp;         // kProtoTcp or kProtoUdp
  std::array<std::uint8_t, 16> src{10, 0, 0, 1};  // IPv4 uses the first 4 bytes
  std::array<std::uint8_t, 16> dst{10, 0, 0, 2};
  std::uint16_t sport = 1000;
  std::uint16_t dport = 2000;
  std::uint32_t seq = 1;
  std::uint32_t ack = 1;
  std::uint8_t flags = packet::TcpHeader::kAckFlag;
  std::uint16_t window = 512;
  Bytes payload;
  Bytes tcp_options;   // padded with zero (EOL) to a multiple of 4
  Bytes ipv4_options;  // padded with zero (EOL) to a multiple of 4
  std::vector<Ipv6Ext> ipv6_ext_headers;
  std::uint8_t ttl = 64;  // IPv6: hop limit
  std::uint8_t tos = 0;   // IPv6: traffic class
  std::uint16_t id = 0x1234;
  bool df = true;
  std::uint32_t flow_label = 0;
};

// Convenient IPv6 addresses fd00::1 / fd00::2 for a spec switched to version 6.
inline PacketSpec v6(PacketSpec s) {
  s.version = 6;
  s.src = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  s.dst = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
  return s;
}

// Deterministic, non-repeating-looking payload so misplaced bytes are noticed.
inline Bytes pattern(std::size_t n, std::uint32_t seed = 1) {
  Bytes b(n);
  std::uint32_t x = seed * 2654435761u + 1;
  for (auto& v : b) {
    x = x * 1103515245u + 12345u;
    v = static_cast<std::uint8_t>(x >> 16);
  }
  return b;
}

inline std::size_t round4(std::size_t n) { return (n + 3) & ~std::size_t{3}; }

// L4 checksum field offset for the spec's protocol.
inline std::size_t csum_field(std::uint8_t proto) {
  return proto == packet::kProtoTcp ? packet::TcpHeader::kChecksumOffset : packet::UdpHeader::kChecksumOffset;
}

namespace detail {

// A PacketSpec as packet::encode's fields. The spans point into this object (the options padded
// with zero (EOL) to a multiple of 4, the extension headers' bodies), so it is neither copied nor
// moved, and outlives the encode call.
class SpecFields {
 public:
  explicit SpecFields(const PacketSpec& s)
      : proto_(s.proto), ipv4_options_(s.ipv4_options), tcp_options_(s.tcp_options) {
    ipv4_options_.resize(round4(ipv4_options_.size()));
    tcp_options_.resize(round4(tcp_options_.size()));
    // Each body (after the next-header and length bytes) is zero: Pad1 options, and for a routing
    // header segments-left 0 (a valid no-op). One zero buffer backs them all.
    std::size_t largest = 0;
    for (const auto& e : s.ipv6_ext_headers) largest = std::max(largest, e.size);
    zeros_.assign(largest, 0);
    for (const auto& e : s.ipv6_ext_headers)
      ext_.push_back({e.type, std::span<const std::uint8_t>(zeros_).first(e.size < 2 ? 0 : e.size - 2)});
    ip_.version = s.version;
    ip_.src = s.src;
    ip_.dst = s.dst;
    ip_.ttl = s.ttl;
    ip_.tos = s.tos;
    ip_.id = s.id;
    ip_.dont_fragment = s.df;
    ip_.flow_label = s.flow_label;
    ip_.ipv4_options = ipv4_options_;
    ip_.ipv6_extensions = ext_;
    tcp_ = {s.sport, s.dport, s.seq, s.ack, s.flags, s.window, tcp_options_};
    udp_ = {s.sport, s.dport};
  }
  SpecFields(const SpecFields&) = delete;
  SpecFields& operator=(const SpecFields&) = delete;

  // 0 when encode would refuse the IP part (see packet::ip_headers_size).
  std::size_t ip_size() const { return packet::ip_headers_size(ip_); }
  std::size_t headers_size() const {
    return proto_ == packet::kProtoTcp ? packet::tcp_headers_size(ip_, tcp_options_.size())
                                       : packet::udp_headers_size(ip_);
  }

  // The packet's length, 0 when encode refuses the spec (a protocol other than TCP/UDP, options
  // beyond 40 bytes, an extension header not a multiple of 8, more than 65535 bytes of IP).
  std::size_t encode(std::span<std::uint8_t> out, std::size_t payload_size, packet::L4Checksum checksum) const {
    if (proto_ == packet::kProtoTcp) return packet::encode_tcp(out, ip_, tcp_, payload_size, checksum);
    if (proto_ == packet::kProtoUdp) return packet::encode_udp(out, ip_, udp_, payload_size, checksum);
    return 0;
  }

 private:
  std::uint8_t proto_;
  Bytes ipv4_options_;
  Bytes tcp_options_;
  Bytes zeros_;
  std::vector<packet::Ipv6Extension> ext_;
  packet::IpFields ip_;
  packet::TcpFields tcp_;
  packet::UdpFields udp_;
};

struct Encoded {
  Bytes bytes;  // headers, then the payload
  std::size_t l4_offset = 0;
  std::size_t headers = 0;  // where the payload starts
};

// The spec's packet written by packet::encode around `payload` (payload_size bytes; zeros when
// `payload` is empty). A spec encode refuses is a broken test: say so and stop.
inline Encoded encode_spec(const PacketSpec& s, std::span<const std::uint8_t> payload, std::size_t payload_size,
                           packet::L4Checksum checksum) {
  const SpecFields f(s);
  Encoded e;
  e.l4_offset = f.ip_size();
  e.headers = f.headers_size();
  e.bytes.resize(e.headers + payload_size);
  std::copy(payload.begin(), payload.end(), e.bytes.begin() + static_cast<std::ptrdiff_t>(e.headers));
  if (e.l4_offset == 0 || f.encode(e.bytes, payload_size, checksum) != e.bytes.size()) {
    std::fprintf(stderr,
                 "tbtest: packet::encode refuses this PacketSpec (version %d, protocol %u, %zu payload bytes)\n",
                 s.version, static_cast<unsigned>(s.proto), payload_size);
    std::abort();
  }
  return e;
}

// Zeroes the L4 checksum field encode wrote. Wanted where the packet does not parse (a fragment
// header: no reader can locate L4 to check it, the fixtures expect 0) and for headers-only output.
inline void clear_l4_checksum(Encoded& e, std::uint8_t proto) {
  packet::store_be16(e.bytes.data() + e.l4_offset + csum_field(proto), 0);
}

}  // namespace detail

inline std::size_t ip_header_size(const PacketSpec& s) { return detail::SpecFields(s).ip_size(); }

inline std::size_t l4_header_size(const PacketSpec& s) {
  const detail::SpecFields f(s);
  return f.headers_size() - f.ip_size();
}

// Headers only (IP + extension headers/options + L4), L4 checksum zero, lengths for `payload_len`.
inline Bytes build_headers(const PacketSpec& s, std::size_t payload_len) {
  // Partial: no sum over the (zero) payload, the field is cleared anyway.
  detail::Encoded e = detail::encode_spec(s, {}, payload_len, packet::L4Checksum::kPartial);
  detail::clear_l4_checksum(e, s.proto);
  e.bytes.resize(e.headers);
  return e.bytes;
}

// The TCP/UDP checksum of a packet whose layers are `l`, written afresh over the pseudo-header and
// the L4 bytes (field zeroed first); a computed UDP 0 is sent as 0xFFFF ("no checksum" otherwise).
inline void refresh_l4_checksum(std::span<std::uint8_t> p, const packet::IpLayers& l) {
  const std::size_t field = l.l4_offset + csum_field(l.l4_protocol);
  packet::store_be16(p.data() + field, 0);
  const auto l4 = p.subspan(l.l4_offset);
  std::uint16_t c =
      packet::finish(packet::sum_bytes(l4, packet::pseudo_header_sum(l, static_cast<std::uint32_t>(l4.size()))));
  if (l.l4_protocol == packet::kProtoUdp && c == 0) c = 0xFFFF;
  packet::store_be16(p.data() + field, c);
}

// The same after a test edited an L4 header (or the payload) of a crafted packet, so only the
// field it meant to break is wrong. False, the packet untouched, when it does not parse.
inline bool refresh_l4_checksum(std::span<std::uint8_t> p) {
  const auto parsed = packet::parse_ip(p);
  if (!parsed.ok) return false;
  refresh_l4_checksum(p, parsed.layers);
  return true;
}

// The IPv4 header checksum recomputed after a header edit; IPv6 has none, nothing to do.
inline void refresh_ipv4_checksum(std::span<std::uint8_t> p) {
  if (!p.empty() && (p[0] >> 4) == 4 && packet::Ipv4Header::fits(p)) packet::Ipv4Header(p).update_checksum();
}

// A complete packet with valid IPv4 header and L4 checksums. Deliberately malformed specs (e.g.
// fragment headers) do not parse and keep checksum 0.
inline Bytes build(const PacketSpec& s) {
  detail::Encoded e = detail::encode_spec(s, s.payload, s.payload.size(), packet::L4Checksum::kFull);
  if (!packet::parse_ip(e.bytes).ok) detail::clear_l4_checksum(e, s.proto);
  return e.bytes;
}

struct GsoPacket {
  vnet::VnetHeader header;
  Bytes bytes;  // the IP super-packet, vnet header excluded
};

// A super-packet as a TUN read returns it: lengths describe the whole packet, the L4 checksum
// field holds the folded, non-inverted pseudo-header sum of the full L4 length (encode's
// kPartial; 0 when the packet does not parse, as in build()), and the vnet header says NEEDS_CSUM
// with csum_start at the L4 header.
inline GsoPacket make_gso(const PacketSpec& s, std::uint16_t gso_size) {
  detail::Encoded e = detail::encode_spec(s, s.payload, s.payload.size(), packet::L4Checksum::kPartial);
  if (!packet::parse_ip(e.bytes).ok) detail::clear_l4_checksum(e, s.proto);
  GsoPacket g;
  const bool tcp = s.proto == packet::kProtoTcp;
  g.header.flags = vnet::kFlagNeedsCsum;
  g.header.gso_type = tcp ? (s.version == 4 ? vnet::kGsoTcpV4 : vnet::kGsoTcpV6) : vnet::kGsoUdpL4;
  g.header.hdr_len = static_cast<std::uint16_t>(e.headers);
  g.header.gso_size = gso_size;
  g.header.csum_start = static_cast<std::uint16_t>(e.l4_offset);
  g.header.csum_offset = static_cast<std::uint16_t>(csum_field(s.proto));
  g.bytes = std::move(e.bytes);
  return g;
}

// The 10-byte little-endian vnet header followed by the packet, as read(2) returns it.
inline Bytes with_vnet(const vnet::VnetHeader& h, std::span<const std::uint8_t> packet) {
  Bytes b(vnet::kHeaderSize);
  vnet::encode(h, std::span(b).first<vnet::kHeaderSize>());
  b.insert(b.end(), packet.begin(), packet.end());
  return b;
}

inline bool ipv4_checksum_ok(std::span<const std::uint8_t> p) {
  if (p.empty() || (p[0] >> 4) != 4) return true;  // IPv6 has no header checksum
  if (!packet::ConstIpv4Header::fits(p)) return false;
  packet::ConstIpv4Header ip(p);
  return ip.header_length() >= packet::Ipv4Header::kMinSize && ip.header_length() <= p.size() && ip.checksum_valid();
}

// A NEEDS_CSUM packet as the kernel completes it (skb_checksum_help): the sum from csum_start,
// the field included as it stands (the pseudo-header sum), stored inverted at csum_start +
// csum_offset, a result of 0 stored as 0xFFFF (CSUM_MANGLED_0).
inline Bytes completed_as_kernel(Bytes p, std::size_t csum_start, std::size_t csum_offset) {
  const std::uint16_t c = packet::finish(packet::sum_bytes(std::span<const std::uint8_t>(p).subspan(csum_start)));
  packet::store_be16(p.data() + csum_start + csum_offset, c == 0 ? 0xFFFF : c);
  return p;
}

// Verifies the TCP/UDP checksum of a complete packet (pseudo-header + L4, field included).
// A UDP checksum of 0 ("none") is rejected: the offload engine must never emit it.
inline bool l4_checksum_ok(std::span<const std::uint8_t> p) {
  auto parsed = packet::parse_ip(p);
  if (!parsed.ok) return false;
  const auto& l = parsed.layers;
  auto l4 = p.subspan(l.l4_offset);
  if (l.l4_protocol == packet::kProtoTcp) {
    if (!packet::ConstTcpHeader::fits(l4)) return false;
  } else if (l.l4_protocol == packet::kProtoUdp) {
    if (!packet::ConstUdpHeader::fits(l4) || packet::ConstUdpHeader(l4).checksum() == 0) return false;
  } else {
    return false;
  }
  return packet::sum_verifies(
      packet::sum_bytes(l4, packet::pseudo_header_sum(l, static_cast<std::uint32_t>(l4.size()))));
}

// Offset of the L4 payload (after IP, extension headers and the L4 header); 0 if unparsable.
inline std::size_t headers_length(std::span<const std::uint8_t> p) {
  auto parsed = packet::parse_ip(p);
  if (!parsed.ok) return 0;
  auto l4 = p.subspan(parsed.layers.l4_offset);
  if (parsed.layers.l4_protocol == packet::kProtoTcp && packet::ConstTcpHeader::fits(l4))
    return parsed.layers.l4_offset + packet::ConstTcpHeader(l4).header_length();
  if (parsed.layers.l4_protocol == packet::kProtoUdp && packet::ConstUdpHeader::fits(l4))
    return parsed.layers.l4_offset + packet::UdpHeader::kSize;
  return 0;
}

inline std::span<const std::uint8_t> l4_payload(std::span<const std::uint8_t> p) {
  const std::size_t h = headers_length(p);
  return h == 0 || h > p.size() ? std::span<const std::uint8_t>{} : p.subspan(h);
}

// The flow of a packet, "4 10.0.0.1.>10.0.0.2. 1000>2000 p6" (version, addresses, ports,
// protocol), to group packets by flow: segments of one flow must stay in order.
inline std::string flow_key(std::span<const std::uint8_t> p) {
  auto parsed = packet::parse_ip(p);
  if (!parsed.ok) return "?";
  const auto& l = parsed.layers;
  std::string k = std::to_string(l.version) + " ";
  for (auto b : l.src) k += std::to_string(b) + ".";
  k += ">";
  for (auto b : l.dst) k += std::to_string(b) + ".";
  if (p.size() >= l.l4_offset + 4) {
    // Appended piecewise: `"literal" + std::string` trips GCC 12's -Wrestrict false positive.
    k += ' ';
    k += std::to_string(packet::load_be16(p.data() + l.l4_offset));
    k += '>';
    k += std::to_string(packet::load_be16(p.data() + l.l4_offset + 2));
  }
  return k + " p" + std::to_string(l.l4_protocol);
}

}  // namespace tbtest

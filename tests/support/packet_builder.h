#pragma once
// Test support: builds IPv4/IPv6 TCP/UDP packets (with IPv4 options, TCP options, IPv6 extension
// headers) carrying valid checksums, and GSO super-packets shaped the way a TUN read delivers
// them (docs/offload.md §3: whole-packet lengths, partial pseudo-header checksum, NEEDS_CSUM), the
// checksum refresh after a test edits a header by hand, and the checks and readers tests apply
// to packets. Self-contained (no other support header) so bench/ can include it by path too.
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
#include <span>
#include <string>
#include <vector>

#include "packet/bytes.h"
#include "packet/checksum.h"
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

inline std::size_t ip_header_size(const PacketSpec& s) {
  if (s.version == 4) return packet::Ipv4Header::kMinSize + round4(s.ipv4_options.size());
  std::size_t n = packet::Ipv6Header::kSize;
  for (const auto& e : s.ipv6_ext_headers) n += e.size;
  return n;
}

inline std::size_t l4_header_size(const PacketSpec& s) {
  return s.proto == packet::kProtoTcp ? packet::TcpHeader::kMinSize + round4(s.tcp_options.size())
                                      : packet::UdpHeader::kSize;
}

// Headers only (IP + extension headers/options + L4), checksums zero, lengths for `payload_len`.
inline Bytes build_headers(const PacketSpec& s, std::size_t payload_len) {
  const std::size_t l3 = ip_header_size(s);
  const std::size_t l4 = l4_header_size(s);
  Bytes b(l3 + l4, 0);
  const std::size_t total = l3 + l4 + payload_len;
  if (s.version == 4) {
    packet::Ipv4Header ip{std::span<std::uint8_t>(b).first(l3)};
    ip.set_version_ihl(4, static_cast<std::uint8_t>(l3 / 4));
    ip.set_tos(s.tos);
    ip.set_total_length(static_cast<std::uint16_t>(total));
    ip.set_id(s.id);
    ip.set_flags_fragment(s.df ? packet::Ipv4Header::kFlagDF : 0);
    ip.set_ttl(s.ttl);
    ip.set_protocol(s.proto);
    std::copy_n(s.src.begin(), 4, ip.src().begin());
    std::copy_n(s.dst.begin(), 4, ip.dst().begin());
    std::copy(s.ipv4_options.begin(), s.ipv4_options.end(), ip.options().begin());
    ip.update_checksum();
  } else {
    packet::Ipv6Header ip{std::span<std::uint8_t>(b).first(packet::Ipv6Header::kSize)};
    ip.set_version_class_flow(s.tos, s.flow_label);
    ip.set_payload_length(static_cast<std::uint16_t>(total - packet::Ipv6Header::kSize));
    ip.set_hop_limit(s.ttl);
    std::copy(s.src.begin(), s.src.end(), ip.src().begin());
    std::copy(s.dst.begin(), s.dst.end(), ip.dst().begin());
    // Chain: fixed header -> ext[0] -> ... -> L4.
    std::size_t off = packet::Ipv6Header::kSize;
    std::uint8_t* next_field = &b[6];
    for (const auto& e : s.ipv6_ext_headers) {
      *next_field = e.type;
      b[off + 1] = static_cast<std::uint8_t>(e.size / 8 - 1);
      next_field = &b[off];
      off += e.size;
    }
    *next_field = s.proto;
  }
  auto l4b = std::span(b).subspan(l3);
  if (s.proto == packet::kProtoTcp) {
    packet::TcpHeader t(l4b);
    t.set_src_port(s.sport);
    t.set_dst_port(s.dport);
    t.set_seq(s.seq);
    t.set_ack(s.ack);
    t.set_data_offset(static_cast<std::uint8_t>(l4 / 4));
    t.set_flags(s.flags);
    t.set_window(s.window);
    std::copy(s.tcp_options.begin(), s.tcp_options.end(), t.options().begin());
  } else {
    packet::UdpHeader u(l4b);
    u.set_src_port(s.sport);
    u.set_dst_port(s.dport);
    u.set_length(static_cast<std::uint16_t>(l4 + payload_len));
  }
  return b;
}

// L4 checksum field offset for the spec's protocol.
inline std::size_t csum_field(std::uint8_t proto) {
  return proto == packet::kProtoTcp ? packet::TcpHeader::kChecksumOffset : packet::UdpHeader::kChecksumOffset;
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
  Bytes b = build_headers(s, s.payload.size());
  b.insert(b.end(), s.payload.begin(), s.payload.end());
  refresh_l4_checksum(b);
  return b;
}

struct GsoPacket {
  vnet::VnetHeader header;
  Bytes bytes;  // the IP super-packet, vnet header excluded
};

// A super-packet as a TUN read returns it: lengths describe the whole packet, the L4 checksum
// field holds the folded, non-inverted pseudo-header sum of the full L4 length, and the vnet
// header says NEEDS_CSUM with csum_start at the L4 header.
inline GsoPacket make_gso(const PacketSpec& s, std::uint16_t gso_size) {
  GsoPacket g;
  g.bytes = build_headers(s, s.payload.size());
  const std::size_t l4_off = ip_header_size(s);
  const std::size_t hlen = g.bytes.size();
  g.bytes.insert(g.bytes.end(), s.payload.begin(), s.payload.end());
  auto parsed = packet::parse_ip(g.bytes);
  if (parsed.ok) {
    const auto l4_len = static_cast<std::uint32_t>(g.bytes.size() - l4_off);
    packet::store_be16(g.bytes.data() + l4_off + csum_field(s.proto),
                       packet::fold(packet::pseudo_header_sum(parsed.layers, l4_len)));
  }
  const bool tcp = s.proto == packet::kProtoTcp;
  g.header.flags = vnet::kFlagNeedsCsum;
  g.header.gso_type = tcp ? (s.version == 4 ? vnet::kGsoTcpV4 : vnet::kGsoTcpV6) : vnet::kGsoUdpL4;
  g.header.hdr_len = static_cast<std::uint16_t>(hlen);
  g.header.gso_size = gso_size;
  g.header.csum_start = static_cast<std::uint16_t>(l4_off);
  g.header.csum_offset = static_cast<std::uint16_t>(csum_field(s.proto));
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

#include "packet/encode.h"

#include <algorithm>

#include "packet/bytes.h"
#include "packet/checksum.h"
#include "packet/ipv4_header.h"
#include "packet/ipv6_header.h"
#include "packet/tcp_header.h"
#include "packet/udp_header.h"

namespace packet {

namespace {

constexpr std::size_t kMaxIpPacket = 65535;

constexpr std::size_t kMaxIpv4Options = 40;

// Bytes of IPv4 options or IPv6 extension headers after the fixed header; `ok` false when one
// is malformed.
std::size_t ip_extra_size(const IpFields& ip, bool* ok) {
  *ok = true;
  if (ip.version == 4) {
    const std::size_t n = ip.ipv4_options.size();
    *ok = n % 4 == 0 && n <= kMaxIpv4Options;
    return n;
  }
  std::size_t n = 0;
  for (const auto& e : ip.ipv6_extensions) {
    const std::size_t size = 2 + e.body.size();
    // The length byte counts 8-byte units beyond the first: at most 256 units.
    if (size % 8 != 0 || size > 256 * 8) *ok = false;
    n += size;
  }
  return n;
}

// The IPv4 header, with ip.ipv4_options after it when kWithOptions. Without (every packet tunstack
// writes) the header's size is the constant 20, as before options existed: the deterministic gate
// saw a variable size cost tunstack's download rows up to 2 % and udp4-down-gro up to 8.7 %.
template <bool kWithOptions>
std::uint64_t write_ipv4(std::span<std::uint8_t> out, const IpFields& ip, std::uint8_t protocol, std::size_t l4_size) {
  const std::size_t l3 = Ipv4Header::kMinSize + (kWithOptions ? ip.ipv4_options.size() : 0);
  Ipv4Header h(out.first(l3));
  h.set_version_ihl(4, static_cast<std::uint8_t>(l3 / 4));
  h.set_tos(ip.tos);
  h.set_total_length(static_cast<std::uint16_t>(l3 + l4_size));
  h.set_id(ip.id);
  h.set_flags_fragment(ip.dont_fragment ? Ipv4Header::kFlagDF : 0);
  h.set_ttl(ip.ttl);
  h.set_protocol(protocol);
  std::copy_n(ip.src.begin(), 4, h.src().begin());
  std::copy_n(ip.dst.begin(), 4, h.dst().begin());
  if constexpr (kWithOptions) std::copy(ip.ipv4_options.begin(), ip.ipv4_options.end(), h.options().begin());
  h.update_checksum();
  return pseudo_header_sum_v4(std::span<const std::uint8_t, 4>(ip.src.data(), 4),
                              std::span<const std::uint8_t, 4>(ip.dst.data(), 4), protocol,
                              static_cast<std::uint32_t>(l4_size));
}

// Writes the IP header (options, extension headers) for an L4 part of `l4_size` bytes; returns
// the pseudo-header sum. `out` holds at least ip_headers_size(ip) bytes.
std::uint64_t write_ip(std::span<std::uint8_t> out, const IpFields& ip, std::uint8_t protocol, std::size_t l4_size) {
  if (ip.version == 4)
    return ip.ipv4_options.empty() ? write_ipv4<false>(out, ip, protocol, l4_size)
                                   : write_ipv4<true>(out, ip, protocol, l4_size);
  Ipv6Header h(out.first(Ipv6Header::kSize));
  h.set_version_class_flow(ip.tos, ip.flow_label);
  // The payload length counts the extension headers; the pseudo-header only the L4 part.
  std::size_t off = Ipv6Header::kSize;
  std::uint8_t* next = &out[6];
  for (const auto& e : ip.ipv6_extensions) {
    *next = e.type;
    next = &out[off];
    out[off + 1] = static_cast<std::uint8_t>((2 + e.body.size()) / 8 - 1);
    std::copy(e.body.begin(), e.body.end(), out.begin() + static_cast<std::ptrdiff_t>(off + 2));
    off += 2 + e.body.size();
  }
  *next = protocol;
  h.set_payload_length(static_cast<std::uint16_t>(off - Ipv6Header::kSize + l4_size));
  h.set_hop_limit(ip.ttl);
  std::copy(ip.src.begin(), ip.src.end(), h.src().begin());
  std::copy(ip.dst.begin(), ip.dst.end(), h.dst().begin());
  return pseudo_header_sum_v6(ip.src, ip.dst, protocol, static_cast<std::uint32_t>(l4_size));
}

// The value of the L4 checksum field, with the field itself still zero in `l4`.
std::uint16_t l4_checksum(std::uint64_t pseudo, std::span<const std::uint8_t> l4, L4Checksum mode) {
  if (mode == L4Checksum::kPartial) return fold(pseudo);
  return finish(sum_bytes(l4, pseudo));
}

bool fits(std::span<std::uint8_t> out, int version, std::size_t headers, std::size_t payload) {
  if (version != 4 && version != 6) return false;
  const std::size_t total = headers + payload;
  const std::size_t ip_length = version == 4 ? total : total - Ipv6Header::kSize;
  return total <= out.size() && ip_length <= kMaxIpPacket;
}

}  // namespace

std::size_t ip_header_size(int version) { return version == 4 ? Ipv4Header::kMinSize : Ipv6Header::kSize; }

namespace {

// ip_headers_size() without its validation loops in the common case, inlined into the encoders.
std::size_t l3_size(const IpFields& ip) {
  if (ip.ipv4_options.empty() && ip.ipv6_extensions.empty())
    return ip.version == 4 ? Ipv4Header::kMinSize : ip.version == 6 ? Ipv6Header::kSize : 0;
  return ip_headers_size(ip);
}

}  // namespace

std::size_t ip_headers_size(const IpFields& ip) {
  bool ok = false;
  const std::size_t extra = ip_extra_size(ip, &ok);
  return ok && (ip.version == 4 || ip.version == 6) ? ip_header_size(ip.version) + extra : 0;
}

std::size_t tcp_headers_size(const IpFields& ip, std::size_t options_size) {
  const std::size_t l3 = l3_size(ip);
  return l3 == 0 ? 0 : l3 + TcpHeader::kMinSize + options_size;
}

std::size_t udp_headers_size(const IpFields& ip) {
  const std::size_t l3 = l3_size(ip);
  return l3 == 0 ? 0 : l3 + UdpHeader::kSize;
}

std::size_t icmp_echo_headers_size(const IpFields& ip) {
  const std::size_t l3 = l3_size(ip);
  return l3 == 0 ? 0 : l3 + kIcmpEchoHeaderSize;
}

std::size_t tcp_headers_size(int version, std::size_t options_size) {
  return ip_header_size(version) + TcpHeader::kMinSize + options_size;
}

std::size_t udp_headers_size(int version) { return ip_header_size(version) + UdpHeader::kSize; }

std::size_t encode_tcp(std::span<std::uint8_t> out, const IpFields& ip, const TcpFields& tcp, std::size_t payload_size,
                       L4Checksum checksum) {
  const std::size_t opts = tcp.options.size();
  if (opts % 4 != 0 || opts > TcpHeader::kMaxSize - TcpHeader::kMinSize) return 0;
  const std::size_t l3 = l3_size(ip);
  if (l3 == 0) return 0;
  const std::size_t headers = l3 + TcpHeader::kMinSize + opts;
  if (!fits(out, ip.version, headers, payload_size)) return 0;
  const std::size_t l4_size = TcpHeader::kMinSize + opts + payload_size;
  const std::uint64_t pseudo = write_ip(out, ip, kProtoTcp, l4_size);
  TcpHeader t(out.subspan(l3, TcpHeader::kMinSize + opts));
  t.set_src_port(tcp.src_port);
  t.set_dst_port(tcp.dst_port);
  t.set_seq(tcp.seq);
  t.set_ack(tcp.ack);
  out[l3 + 12] = 0;  // data offset byte: reserved bits clear
  t.set_data_offset(static_cast<std::uint8_t>((TcpHeader::kMinSize + opts) / 4));
  t.set_flags(tcp.flags);
  t.set_window(tcp.window);
  t.set_checksum(0);
  t.set_urgent(0);
  std::copy(tcp.options.begin(), tcp.options.end(),
            out.begin() + static_cast<std::ptrdiff_t>(l3 + TcpHeader::kMinSize));
  t.set_checksum(l4_checksum(pseudo, out.subspan(l3, l4_size), checksum));
  return headers + payload_size;
}

std::size_t encode_udp(std::span<std::uint8_t> out, const IpFields& ip, const UdpFields& udp, std::size_t payload_size,
                       L4Checksum checksum) {
  const std::size_t l3 = l3_size(ip);
  if (l3 == 0) return 0;
  const std::size_t headers = l3 + UdpHeader::kSize;
  if (!fits(out, ip.version, headers, payload_size)) return 0;
  const std::size_t l4_size = UdpHeader::kSize + payload_size;
  const std::uint64_t pseudo = write_ip(out, ip, kProtoUdp, l4_size);
  UdpHeader u(out.subspan(l3, UdpHeader::kSize));
  u.set_src_port(udp.src_port);
  u.set_dst_port(udp.dst_port);
  u.set_length(static_cast<std::uint16_t>(l4_size));
  u.set_checksum(0);
  std::uint16_t c = l4_checksum(pseudo, out.subspan(l3, l4_size), checksum);
  if (checksum == L4Checksum::kFull && c == 0) c = 0xFFFF;
  u.set_checksum(c);
  return headers + payload_size;
}

std::size_t encode_icmp_echo(std::span<std::uint8_t> out, const IpFields& ip, const IcmpEchoFields& echo,
                             std::size_t payload_size) {
  const std::size_t l3 = l3_size(ip);
  if (l3 == 0) return 0;
  const std::size_t headers = l3 + kIcmpEchoHeaderSize;
  if (!fits(out, ip.version, headers, payload_size)) return 0;
  const bool v4 = ip.version == 4;
  const std::size_t l4_size = kIcmpEchoHeaderSize + payload_size;
  const std::uint64_t pseudo = write_ip(out, ip, v4 ? kProtoIcmp : kProtoIcmpv6, l4_size);
  auto message = out.subspan(l3, l4_size);
  message[0] = v4 ? (echo.reply ? 0 : 8) : (echo.reply ? 129 : 128);
  message[1] = 0;  // code
  store_be16(message.data() + 2, 0);
  store_be16(message.data() + 4, echo.id);
  store_be16(message.data() + 6, echo.seq);
  // ICMPv6 covers a pseudo-header (RFC 4443 §2.3); ICMP for IPv4 only the message.
  store_be16(message.data() + 2, finish(sum_bytes(message, v4 ? 0 : pseudo)));
  return headers + payload_size;
}

}  // namespace packet

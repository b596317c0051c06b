#include "packet/encode.h"

#include <algorithm>

#include "packet/checksum.h"
#include "packet/ipv4_header.h"
#include "packet/ipv6_header.h"
#include "packet/tcp_header.h"
#include "packet/udp_header.h"

namespace packet {

namespace {

constexpr std::size_t kMaxIpPacket = 65535;

// Writes the IP header for an L4 part of `l4_size` bytes; returns the pseudo-header sum.
std::uint64_t write_ip(std::span<std::uint8_t> out, const IpFields& ip, std::uint8_t protocol, std::size_t l4_size) {
  if (ip.version == 4) {
    Ipv4Header h(out.first(Ipv4Header::kMinSize));
    h.set_version_ihl(4, 5);
    h.set_tos(ip.tos);
    h.set_total_length(static_cast<std::uint16_t>(Ipv4Header::kMinSize + l4_size));
    h.set_id(ip.id);
    h.set_flags_fragment(ip.dont_fragment ? Ipv4Header::kFlagDF : 0);
    h.set_ttl(ip.ttl);
    h.set_protocol(protocol);
    std::copy_n(ip.src.begin(), 4, h.src().begin());
    std::copy_n(ip.dst.begin(), 4, h.dst().begin());
    h.update_checksum();
    return pseudo_header_sum_v4(std::span<const std::uint8_t, 4>(ip.src.data(), 4),
                                std::span<const std::uint8_t, 4>(ip.dst.data(), 4), protocol,
                                static_cast<std::uint32_t>(l4_size));
  }
  Ipv6Header h(out.first(Ipv6Header::kSize));
  h.set_version_class_flow(ip.tos, ip.flow_label);
  h.set_payload_length(static_cast<std::uint16_t>(l4_size));
  h.set_next_header(protocol);
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

std::size_t tcp_headers_size(int version, std::size_t options_size) {
  return ip_header_size(version) + TcpHeader::kMinSize + options_size;
}

std::size_t udp_headers_size(int version) { return ip_header_size(version) + UdpHeader::kSize; }

std::size_t encode_tcp(std::span<std::uint8_t> out, const IpFields& ip, const TcpFields& tcp, std::size_t payload_size,
                       L4Checksum checksum) {
  const std::size_t opts = tcp.options.size();
  if (opts % 4 != 0 || opts > TcpHeader::kMaxSize - TcpHeader::kMinSize) return 0;
  const std::size_t headers = tcp_headers_size(ip.version, opts);
  if (!fits(out, ip.version, headers, payload_size)) return 0;
  const std::size_t l3 = ip_header_size(ip.version);
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
  const std::size_t headers = udp_headers_size(ip.version);
  if (!fits(out, ip.version, headers, payload_size)) return 0;
  const std::size_t l3 = ip_header_size(ip.version);
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

}  // namespace packet

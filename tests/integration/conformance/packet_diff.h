#pragma once
// Field-by-field comparison of two IP packets for conformance reports: names what differs
// ("TCP seq 100 vs 1548") instead of a byte offset, so a report can be acted on directly.
#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "packet/ip_packet.h"
#include "packet/ipv4_header.h"
#include "packet/ipv6_header.h"
#include "packet/tcp_header.h"
#include "packet/udp_header.h"

namespace tbtest {

// Ports and protocol of a parsed packet; ok=false when it is not TCP/UDP over IPv4/IPv6.
struct FlowInfo {
  bool ok = false;
  int version = 0;
  std::uint8_t proto = 0;
  std::uint16_t sport = 0, dport = 0;
  std::size_t l4_offset = 0;
  std::size_t payload_offset = 0;
};

inline FlowInfo flow_info(std::span<const std::uint8_t> p) {
  FlowInfo f;
  const auto parsed = packet::parse_ip(p);
  if (!parsed.ok) return f;
  const auto l4 = p.subspan(parsed.layers.l4_offset);
  f.version = parsed.layers.version;
  f.proto = parsed.layers.l4_protocol;
  f.l4_offset = parsed.layers.l4_offset;
  if (f.proto == packet::kProtoTcp && packet::ConstTcpHeader::fits(l4)) {
    const packet::ConstTcpHeader t(l4);
    f.sport = t.src_port();
    f.dport = t.dst_port();
    f.payload_offset = f.l4_offset + t.header_length();
  } else if (f.proto == packet::kProtoUdp && packet::ConstUdpHeader::fits(l4)) {
    const packet::ConstUdpHeader u(l4);
    f.sport = u.src_port();
    f.dport = u.dst_port();
    f.payload_offset = f.l4_offset + packet::UdpHeader::kSize;
  } else {
    return f;
  }
  f.ok = f.payload_offset <= p.size();
  return f;
}

// Empty when equal; otherwise "field a vs b; ..." with `a` from the first packet.
inline std::string describe_diff(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
  if (a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin())) return {};
  std::string out;
  auto field = [&out](const char* name, auto x, auto y) {
    if (x != y) out += std::string(name) + " " + std::to_string(x) + " vs " + std::to_string(y) + "; ";
  };
  field("length", a.size(), b.size());
  const FlowInfo fa = flow_info(a), fb = flow_info(b);
  if (!fa.ok || !fb.ok || fa.version != fb.version || fa.proto != fb.proto || fa.l4_offset != fb.l4_offset) {
    return out + "unparsable or different layout";
  }
  if (fa.version == 4) {
    const packet::ConstIpv4Header x(a), y(b);
    field("IPv4 tos", x.tos(), y.tos());
    field("IPv4 total_length", x.total_length(), y.total_length());
    field("IPv4 id", x.id(), y.id());
    field("IPv4 flags_fragment", x.flags_fragment(), y.flags_fragment());
    field("IPv4 ttl", x.ttl(), y.ttl());
    field("IPv4 checksum", x.checksum(), y.checksum());
  } else {
    const packet::ConstIpv6Header x(a), y(b);
    field("IPv6 traffic_class", x.traffic_class(), y.traffic_class());
    field("IPv6 flow_label", x.flow_label(), y.flow_label());
    field("IPv6 payload_length", x.payload_length(), y.payload_length());
    field("IPv6 hop_limit", x.hop_limit(), y.hop_limit());
    if (!std::equal(a.begin() + packet::Ipv6Header::kSize, a.begin() + static_cast<long>(fa.l4_offset),
                    b.begin() + packet::Ipv6Header::kSize))
      out += "IPv6 extension headers differ; ";
  }
  if (fa.proto == packet::kProtoTcp) {
    const packet::ConstTcpHeader x(a.subspan(fa.l4_offset)), y(b.subspan(fb.l4_offset));
    field("TCP seq", x.seq(), y.seq());
    field("TCP ack", x.ack(), y.ack());
    field("TCP data_offset", x.data_offset(), y.data_offset());
    field("TCP flags", x.flags(), y.flags());
    field("TCP window", x.window(), y.window());
    field("TCP checksum", x.checksum(), y.checksum());
    field("TCP urgent", x.urgent(), y.urgent());
    if (x.data_offset() == y.data_offset() && !std::ranges::equal(x.options(), y.options()))
      out += "TCP options differ; ";
  } else {
    const packet::ConstUdpHeader x(a.subspan(fa.l4_offset)), y(b.subspan(fb.l4_offset));
    field("UDP length", x.length(), y.length());
    field("UDP checksum", x.checksum(), y.checksum());
  }
  if (fa.payload_offset == fb.payload_offset) {
    const auto pa = a.subspan(fa.payload_offset), pb = b.subspan(fb.payload_offset);
    const auto n = std::min(pa.size(), pb.size());
    const auto m = std::mismatch(pa.begin(), pa.begin() + static_cast<long>(n), pb.begin());
    if (m.first != pa.begin() + static_cast<long>(n))
      out += "payload differs from byte " + std::to_string(m.first - pa.begin()) + "; ";
  }
  return out.empty() ? "bytes differ outside named fields" : out;
}

}  // namespace tbtest

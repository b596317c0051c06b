#include "check/packet_rules.h"

#include <arpa/inet.h>

#include <algorithm>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "offload/gso_split.h"
#include "packet/checksum.h"
#include "packet/ip_packet.h"
#include "packet/ipv4_header.h"
#include "packet/ipv6_header.h"
#include "packet/tcp_header.h"
#include "packet/udp_header.h"

namespace check {
namespace {

using packet::ConstIpv4Header;
using packet::ConstIpv6Header;
using packet::ConstTcpHeader;
using packet::ConstUdpHeader;

std::string address(std::span<const std::uint8_t> a) {
  char text[INET6_ADDRSTRLEN] = {};
  ::inet_ntop(a.size() == 4 ? AF_INET : AF_INET6, a.data(), text, sizeof text);
  return a.size() == 4 ? std::string(text) : fmt::format("[{}]", text);
}

// The IP header's own rules; false when the rest of the packet cannot be located.
bool check_ip_header(std::span<const std::uint8_t> p, std::vector<RuleBreak>& out) {
  if (p.empty()) {
    out.push_back({"ip-header", "empty packet"});
    return false;
  }
  const int version = p[0] >> 4;
  if (version == 4) {
    if (!ConstIpv4Header::fits(p) || ConstIpv4Header(p).ihl() < 5 || ConstIpv4Header(p).header_length() > p.size()) {
      out.push_back({"ip-header", fmt::format("IPv4 header does not fit the {} bytes written", p.size())});
      return false;
    }
    const ConstIpv4Header ip(p);
    if (!ip.checksum_valid())
      out.push_back({"ipv4-checksum", fmt::format("IPv4 header checksum 0x{:04x}, the header sums to 0x{:04x}",
                                                  ip.checksum(), ip.compute_checksum())});
    if (ip.total_length() != p.size())
      out.push_back(
          {"ip-length", fmt::format("IPv4 total length {} on a packet of {} bytes", ip.total_length(), p.size())});
    return ip.total_length() == p.size();
  }
  if (version == 6) {
    if (!ConstIpv6Header::fits(p)) {
      out.push_back({"ip-header", fmt::format("IPv6 header does not fit the {} bytes written", p.size())});
      return false;
    }
    const ConstIpv6Header ip(p);
    if (std::size_t{ip.payload_length()} + ConstIpv6Header::kSize != p.size()) {
      out.push_back({"ip-length", fmt::format("IPv6 payload length {} on a packet of {} bytes ({} after the header)",
                                              ip.payload_length(), p.size(), p.size() - ConstIpv6Header::kSize)});
      return false;
    }
    return true;
  }
  out.push_back({"ip-header", fmt::format("IP version {} written", version)});
  return false;
}

// The L4 checksum after completing it as the kernel would (docs/offload.md §7): what a
// NEEDS_CSUM packet's receiver ends up with.
bool completes_to_valid(const packet::IpLayers& l, std::span<const std::uint8_t> p, std::size_t field) {
  std::vector<std::uint8_t> l4(p.begin() + static_cast<std::ptrdiff_t>(l.l4_offset), p.end());
  const std::size_t at = field - l.l4_offset;
  std::uint16_t c = packet::finish(packet::sum_bytes(l4));
  if (l.l4_protocol == packet::kProtoUdp && c == 0) c = 0xFFFF;
  packet::store_be16(l4.data() + at, c);
  const auto pseudo = packet::pseudo_header_sum(l, static_cast<std::uint32_t>(l4.size()));
  return packet::sum_verifies(packet::sum_bytes(l4, pseudo));
}

void check_l4(const vnet::VnetHeader& h, const packet::IpLayers& l, std::span<const std::uint8_t> p,
              std::vector<RuleBreak>& out) {
  const bool tcp = l.l4_protocol == packet::kProtoTcp;
  const std::size_t field_offset = tcp ? ConstTcpHeader::kChecksumOffset : ConstUdpHeader::kChecksumOffset;
  const auto l4 = p.subspan(l.l4_offset);
  if ((tcp && !ConstTcpHeader::fits(l4)) || (!tcp && !ConstUdpHeader::fits(l4))) {
    out.push_back({"l4-header",
                   fmt::format("{} header cut short: {} bytes after the IP header", tcp ? "TCP" : "UDP", l4.size())});
    return;
  }
  if (!tcp && ConstUdpHeader(l4).length() != l4.size())
    out.push_back(
        {"ip-length", fmt::format("UDP length {} on {} bytes of UDP", ConstUdpHeader(l4).length(), l4.size())});
  const std::size_t field = l.l4_offset + field_offset;
  const std::uint16_t value = packet::load_be16(p.data() + field);
  if (h.needs_csum()) {
    if (h.csum_start != l.l4_offset || h.csum_offset != field_offset) {
      out.push_back({"vnet-csum", fmt::format("NEEDS_CSUM with csum_start {} csum_offset {}; the {} header is at {}",
                                              h.csum_start, h.csum_offset, tcp ? "TCP" : "UDP", l.l4_offset)});
      return;
    }
    if (!completes_to_valid(l, p, field))
      out.push_back(
          {"l4-checksum",
           fmt::format("NEEDS_CSUM, but the checksum field 0x{:04x} is not the pseudo-header sum 0x{:04x}: "
                       "completing it gives an invalid checksum",
                       value, packet::fold(packet::pseudo_header_sum(l, static_cast<std::uint32_t>(l4.size()))))});
    return;
  }
  if (!tcp && value == 0) {
    if (l.version == 6)
      out.push_back({"udp6-zero-checksum", "UDP checksum 0 on IPv6 (RFC 8200 §8.1: the receiver must drop it)"});
    return;  // IPv4: "no checksum", allowed
  }
  const auto pseudo = packet::pseudo_header_sum(l, static_cast<std::uint32_t>(l4.size()));
  if (!packet::sum_verifies(packet::sum_bytes(l4, pseudo))) {
    std::vector<std::uint8_t> copy(l4.begin(), l4.end());
    packet::store_be16(copy.data() + field_offset, 0);
    std::uint16_t expected = packet::finish(packet::sum_bytes(copy, pseudo));
    if (!tcp && expected == 0) expected = 0xFFFF;
    out.push_back(
        {"l4-checksum", fmt::format("{} checksum 0x{:04x}, expected 0x{:04x}", tcp ? "TCP" : "UDP", value, expected)});
  }
}

}  // namespace

vnet::VnetHeader as_captured(vnet::VnetHeader header, std::size_t packet_length) {
  if (header.is_gso()) header.hdr_len = static_cast<std::uint16_t>(std::min<std::size_t>(packet_length, 0xFFFF));
  return header;
}

std::vector<RuleBreak> check_written_packet(const vnet::VnetHeader& h, std::span<const std::uint8_t> p,
                                            std::size_t mtu) {
  std::vector<RuleBreak> out;
  if (!check_ip_header(p, out)) return out;
  const auto parsed = packet::parse_ip(p);
  if (!parsed.ok) {
    // A fragment is legal output; its L4 header is not checkable packet by packet.
    if (parsed.error != packet::IpParseError::kIpv4Fragment && parsed.error != packet::IpParseError::kIpv6Fragment)
      out.push_back({"ip-header", packet::to_string(parsed.error)});
    return out;
  }
  const auto& l = parsed.layers;
  const bool l4_known = l.l4_protocol == packet::kProtoTcp || l.l4_protocol == packet::kProtoUdp;
  if (h.is_gso()) {
    const auto count = offload::gso_segment_count(h, p);
    if (!count.ok()) {
      out.push_back({"gso-oracle", fmt::format("super-packet ({}) that the offload engine refuses to split: {}",
                                               vnet::describe(h), offload::to_string(*count.error))});
      return out;
    }
  } else if (p.size() > mtu) {
    out.push_back({"mtu", fmt::format("{} bytes written to a device with MTU {} (and no GSO header)", p.size(), mtu)});
  }
  if (h.is_gso() && l4_known) {
    // Each segment the kernel makes of it carries the headers plus gso_size bytes.
    const std::size_t l4_header = l.l4_protocol == packet::kProtoTcp
                                      ? ConstTcpHeader(p.subspan(l.l4_offset)).header_length()
                                      : ConstUdpHeader::kSize;
    const std::size_t segment = l.l4_offset + l4_header + h.gso_size;
    if (segment > mtu)
      out.push_back({"mtu", fmt::format("GSO segments of {} bytes (gso_size {}) for a device with MTU {}", segment,
                                        h.gso_size, mtu)});
  }
  if (l4_known) check_l4(h, l, p, out);
  return out;
}

std::string tcp_flag_names(std::uint8_t flags) {
  static constexpr std::pair<std::uint8_t, const char*> kNames[] = {
      {ConstTcpHeader::kSyn, "SYN"}, {ConstTcpHeader::kAckFlag, "ACK"}, {ConstTcpHeader::kPsh, "PSH"},
      {ConstTcpHeader::kFin, "FIN"}, {ConstTcpHeader::kRst, "RST"},     {ConstTcpHeader::kUrg, "URG"},
      {ConstTcpHeader::kEce, "ECE"}, {ConstTcpHeader::kCwr, "CWR"}};
  std::string s;
  for (const auto& [bit, name] : kNames) {
    if (!(flags & bit)) continue;
    if (!s.empty()) s += '|';  // appended, not `"|" + name`: GCC 12 -O2 warns (-Wrestrict) on that
    s += name;
  }
  return s.empty() ? "none" : s;
}

std::string describe_packet(std::span<const std::uint8_t> p) {
  const auto parsed = packet::parse_ip(p);
  if (!parsed.ok) return fmt::format("{} bytes ({})", p.size(), packet::to_string(parsed.error));
  const auto& l = parsed.layers;
  const auto l4 = p.subspan(l.l4_offset);
  if (l.l4_protocol == packet::kProtoTcp && ConstTcpHeader::fits(l4) &&
      ConstTcpHeader(l4).header_length() <= l4.size()) {
    const ConstTcpHeader t(l4);
    return fmt::format("TCP {}:{} > {}:{} seq {} len {} [{}]", address(l.src), t.src_port(), address(l.dst),
                       t.dst_port(), t.seq(), l4.size() - t.header_length(), tcp_flag_names(t.flags()));
  }
  if (l.l4_protocol == packet::kProtoUdp && ConstUdpHeader::fits(l4)) {
    const ConstUdpHeader u(l4);
    return fmt::format("UDP {}:{} > {}:{} len {}", address(l.src), u.src_port(), address(l.dst), u.dst_port(),
                       l4.size() - ConstUdpHeader::kSize);
  }
  return fmt::format("IPv{} {} > {} proto {}, {} bytes", l.version, address(l.src), address(l.dst), l.l4_protocol,
                     p.size());
}

}  // namespace check

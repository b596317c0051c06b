#include "stack/inbound.h"

#include <algorithm>

#include "packet/checksum.h"
#include "packet/ip_packet.h"
#include "packet/tcp_header.h"
#include "packet/udp_header.h"

namespace stack {

namespace {

bool checksum_ok(const vnet::VnetHeader& h, const packet::IpLayers& l, std::span<const std::uint8_t> l4) {
  // A packet the local kernel built and marked partial or already verified: nothing to check.
  if (h.needs_csum() || (h.flags & vnet::kFlagDataValid)) return true;
  return packet::sum_verifies(
      packet::sum_bytes(l4, packet::pseudo_header_sum(l, static_cast<std::uint32_t>(l4.size()))));
}

void copy_addresses(const packet::IpLayers& l, FlowKey& f) {
  f.version = l.version;
  std::copy(l.src.begin(), l.src.end(), f.client.begin());
  std::copy(l.dst.begin(), l.dst.end(), f.server.begin());
}

}  // namespace

std::optional<Drop> parse_inbound(const vnet::VnetHeader& header, std::span<const std::uint8_t> bytes, Inbound& out) {
  if (vnet::validate(header, bytes.size())) return Drop::kVnetHeader;
  const auto ip = packet::parse_ip(bytes);
  if (!ip.ok) return Drop::kIpHeader;
  const auto& l = ip.layers;
  const auto l4 = bytes.subspan(l.l4_offset);
  out = Inbound{};
  copy_addresses(l, out.flow);
  out.flow.protocol = l.l4_protocol;
  if (l.l4_protocol == packet::kProtoTcp) {
    if (!packet::ConstTcpHeader::fits(l4)) return Drop::kTcpHeader;
    const packet::ConstTcpHeader t(l4);
    const std::size_t hl = t.header_length();
    if (hl < packet::ConstTcpHeader::kMinSize || hl > l4.size()) return Drop::kTcpHeader;
    if (!parse_tcp_options(t.options(), out.options)) return Drop::kTcpHeader;
    if (!checksum_ok(header, l, l4)) return Drop::kTcpChecksum;
    out.flow.client_port = t.src_port();
    out.flow.server_port = t.dst_port();
    out.seq = t.seq();
    out.ack = t.ack();
    out.flags = t.flags();
    out.window = t.window();
    out.payload = l4.subspan(hl);
    return std::nullopt;
  }
  if (l.l4_protocol == packet::kProtoUdp) {
    if (!packet::ConstUdpHeader::fits(l4)) return Drop::kUdpHeader;
    const packet::ConstUdpHeader u(l4);
    // A USO super-packet's UDP length covers the whole payload (docs/offload.md §3).
    if (u.length() != l4.size()) return Drop::kUdpHeader;
    if (u.checksum() != 0 || l.version == 6) {
      if (!checksum_ok(header, l, l4)) return Drop::kUdpChecksum;
    }
    out.flow.client_port = u.src_port();
    out.flow.server_port = u.dst_port();
    out.payload = l4.subspan(packet::ConstUdpHeader::kSize);
    if (header.base_gso_type() == vnet::kGsoUdpL4) out.gso_size = header.gso_size;
    return std::nullopt;
  }
  return Drop::kProtocol;
}

}  // namespace stack

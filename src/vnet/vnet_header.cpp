#include "vnet/vnet_header.h"

#include <algorithm>

#include <fmt/format.h>

#include "packet/bytes.h"

namespace vnet {

namespace {
enum Off : std::size_t { kFlags = 0, kGsoType = 1, kHdrLen = 2, kGsoSize = 4, kCsumStart = 6, kCsumOffset = 8 };
constexpr std::uint16_t kTcpCsumOffset = 16;
constexpr std::uint16_t kUdpCsumOffset = 6;
constexpr std::size_t kUdpHeaderSize = 8;
constexpr std::size_t kTcpMinHeaderSize = 20;

const char* gso_name(std::uint8_t base) {
  switch (base) {
    case kGsoNone: return "NONE";
    case kGsoTcpV4: return "TCPV4";
    case kGsoUdp: return "UDP";
    case kGsoTcpV6: return "TCPV6";
    case kGsoUdpL4: return "UDP_L4";
    default: return "?";
  }
}
}  // namespace

VnetHeader decode(std::span<const std::uint8_t, kHeaderSize> b) {
  using packet::load_le16;
  return VnetHeader{b[kFlags],
                    b[kGsoType],
                    load_le16(b.data() + kHdrLen),
                    load_le16(b.data() + kGsoSize),
                    load_le16(b.data() + kCsumStart),
                    load_le16(b.data() + kCsumOffset)};
}

void encode(const VnetHeader& h, std::span<std::uint8_t, kHeaderSize> out) {
  using packet::store_le16;
  out[kFlags] = h.flags;
  out[kGsoType] = h.gso_type;
  store_le16(out.data() + kHdrLen, h.hdr_len);
  store_le16(out.data() + kGsoSize, h.gso_size);
  store_le16(out.data() + kCsumStart, h.csum_start);
  store_le16(out.data() + kCsumOffset, h.csum_offset);
}

const char* to_string(Invalid reason) {
  switch (reason) {
    case Invalid::kGsoType: return "vnet gso_type unsupported";
    case Invalid::kGsoEcnOnUdp: return "vnet gso_type has ECN with UDP_L4";
    case Invalid::kGsoSizeZero: return "vnet gso_size is 0 with a GSO type";
    case Invalid::kGsoSizeMax: return "vnet gso_size is 0xFFFF";
    case Invalid::kNoNeedsCsum: return "vnet flags lack NEEDS_CSUM on a GSO packet";
    case Invalid::kCsumStart: return "vnet csum_start beyond the packet";
    case Invalid::kCsumOffset: return "vnet csum_offset wrong or beyond the packet";
    case Invalid::kHdrLen: return "vnet hdr_len beyond the packet";
  }
  return "vnet header invalid";
}

std::optional<Invalid> validate(const VnetHeader& h, std::size_t len) {
  const std::uint8_t base = h.base_gso_type();
  const bool tcp = base == kGsoTcpV4 || base == kGsoTcpV6;
  const bool udp = base == kGsoUdpL4;
  if (base != kGsoNone && !tcp && !udp) return Invalid::kGsoType;
  if (udp && (h.gso_type & kGsoEcn)) return Invalid::kGsoEcnOnUdp;
  if (h.is_gso()) {
    if (h.gso_size == 0) return Invalid::kGsoSizeZero;
    if (h.gso_size == 0xFFFF) return Invalid::kGsoSizeMax;
    if (!h.needs_csum()) return Invalid::kNoNeedsCsum;
    if (tcp && h.csum_offset != kTcpCsumOffset) return Invalid::kCsumOffset;
    if (udp && h.csum_offset != kUdpCsumOffset) return Invalid::kCsumOffset;
  }
  if (h.needs_csum()) {
    if (h.csum_start >= len) return Invalid::kCsumStart;
    // The L4 header must fit as well as the field itself (virtio_net_hdr_to_skb).
    std::size_t min_l4 = tcp ? kTcpMinHeaderSize : udp ? kUdpHeaderSize : 0;
    std::size_t need = std::max<std::size_t>(min_l4, std::size_t{h.csum_offset} + 2);
    if (std::size_t{h.csum_start} + need > len) return Invalid::kCsumOffset;
  }
  if (h.hdr_len > len) return Invalid::kHdrLen;
  return std::nullopt;
}

std::string describe(const VnetHeader& h) {
  return fmt::format("flags=0x{:02x} gso_type={}{} hdr_len={} gso_size={} csum_start={} csum_offset={}", h.flags,
                     gso_name(h.base_gso_type()), (h.gso_type & kGsoEcn) ? "|ECN" : "", h.hdr_len, h.gso_size,
                     h.csum_start, h.csum_offset);
}

}  // namespace vnet

#include "offload/gso_split.h"

#include <algorithm>
#include <cstring>

#include "offload/plant.h"
#include "packet/checksum.h"
#include "packet/ip_packet.h"
#include "packet/ipv4_header.h"
#include "packet/ipv6_header.h"
#include "packet/tcp_header.h"
#include "packet/udp_header.h"
#include "packet/view.h"

namespace offload {

namespace {

using packet::ConstTcpHeader;
using packet::TcpHeader;
using packet::UdpHeader;

// What the checks of docs/offload.md §5 (rules 2–6) learn about a GSO super-packet.
struct Plan {
  packet::IpLayers layers;
  std::size_t header_length = 0;  // H: IP + options/extension headers + L4 header
  std::size_t payload = 0;        // bytes after H
  std::size_t segments = 0;
  std::uint16_t gso_size = 0;

  // Payload bytes of segment i: gso_size, except the last, which may be short (or 0 when the
  // super-packet has no payload at all).
  std::size_t segment_payload(std::size_t i) const {
    const std::size_t start = i * gso_size;
    return start >= payload ? 0 : std::min<std::size_t>(gso_size, payload - start);
  }
};

struct PlanResult {
  Plan plan;
  std::optional<Error> error;
};

PlanResult fail(Error e) { return PlanResult{{}, e}; }

Error from_ip(packet::IpParseError e) {
  switch (e) {
    case packet::IpParseError::kVersion: return Error::kIpVersion;
    case packet::IpParseError::kIpv4Header: return Error::kIpv4Header;
    case packet::IpParseError::kIpv4Length: return Error::kIpv4Length;
    case packet::IpParseError::kIpv4Fragment: return Error::kIpv4Fragment;
    case packet::IpParseError::kIpv6Length: return Error::kIpv6Length;
    case packet::IpParseError::kIpv6ExtHeader: return Error::kIpv6ExtHeader;
    case packet::IpParseError::kIpv6Fragment: return Error::kIpv6Fragment;
  }
  return Error::kIpVersion;
}

// The checksum field must lie inside the packet before anything reads or writes it.
std::optional<Error> check_csum_bounds(const vnet::VnetHeader& h, std::size_t len) {
  if (h.csum_start >= len) return Error::kVnetCsumStart;
  if (std::size_t{h.csum_start} + h.csum_offset + 2 > len) return Error::kVnetCsumOffset;
  return std::nullopt;
}

// Rules 2–6 of docs/offload.md §5, in that order, each failing with its own Error.
PlanResult plan_split(const vnet::VnetHeader& h, std::span<const std::uint8_t> p) {
  // Rule 2: the GSO type, ECN, gso_size and NEEDS_CSUM. gso_size 0xFFFF is harmless here (it
  // yields one segment); only the write path must refuse it.
  const std::uint8_t base = h.base_gso_type();
  const bool tcp = base == vnet::kGsoTcpV4 || base == vnet::kGsoTcpV6;
  const bool udp = base == vnet::kGsoUdpL4;
  if (!tcp && !udp) return fail(Error::kVnetGsoType);
  if (udp && (h.gso_type & vnet::kGsoEcn)) return fail(Error::kVnetGsoEcnOnUdp);
  if (h.gso_size == 0) return fail(Error::kVnetGsoSize);
  if (!h.needs_csum()) return fail(Error::kVnetNoNeedsCsum);

  // Rule 3: version nibble, matching the type.
  if (p.empty()) return fail(Error::kIpVersion);
  const std::uint8_t version = p[0] >> 4;
  if (version != 4 && version != 6) return fail(Error::kIpVersion);
  if ((base == vnet::kGsoTcpV4 && version != 4) || (base == vnet::kGsoTcpV6 && version != 6))
    return fail(Error::kIpVersion);

  // Rule 4: IP header, lengths, fragments, IPv6 extension chain.
  const packet::IpParseResult ip = packet::parse_ip(p);
  if (!ip.ok) return fail(from_ip(ip.error));
  const packet::IpLayers& l = ip.layers;

  // Rule 5: L4 protocol and where the checksum lives.
  if (l.l4_protocol != (tcp ? packet::kProtoTcp : packet::kProtoUdp)) return fail(Error::kL4Protocol);
  if (auto e = check_csum_bounds(h, p.size())) return fail(*e);
  if (h.csum_start != l.l4_offset) return fail(Error::kVnetCsumStart);
  if (h.csum_offset != (tcp ? TcpHeader::kChecksumOffset : UdpHeader::kChecksumOffset))
    return fail(Error::kVnetCsumOffset);

  // Rule 6: L4 header length, and hdr_len must cover the real headers.
  const auto l4 = p.subspan(l.l4_offset);
  std::size_t l4_header = UdpHeader::kSize;
  if (tcp) {
    if (!ConstTcpHeader::fits(l4)) return fail(Error::kTruncated);
    l4_header = ConstTcpHeader(l4).header_length();
    if (l4_header < TcpHeader::kMinSize || l4_header > l4.size()) return fail(Error::kTcpHeader);
  }  // UDP: rule 5 already put the checksum field, the header's last word, inside the packet.
  const std::size_t hlen = l.l4_offset + l4_header;
  if (h.hdr_len < hlen) return fail(Error::kVnetHdrLen);

  Plan plan{l, hlen, p.size() - hlen, 0, h.gso_size};
  plan.segments = plan.payload == 0 ? 1 : (plan.payload + h.gso_size - 1) / h.gso_size;
  return PlanResult{plan, std::nullopt};
}

// gso_type NONE (rule 1): the packet goes out whole; with NEEDS_CSUM the field holds the partial
// pseudo-header sum and we finish it as skb_checksum_help() does. A result of 0 is written as
// 0xFFFF for every protocol, like the kernel (CSUM_MANGLED_0): we do not parse the packet here,
// 0xFFFF is mandatory for UDP and verifies identically to 0 for TCP (docs/offload.md §7).
SplitResult copy_unsegmented(const vnet::VnetHeader& h, std::span<const std::uint8_t> p,
                             std::span<const std::span<std::uint8_t>> out, std::span<std::size_t> lengths) {
  if (h.needs_csum()) {
    if (auto e = check_csum_bounds(h, p.size())) return SplitResult{0, e};
  }
  if (out.empty() || lengths.empty()) return SplitResult{0, Error::kTooManySegments};
  if (out[0].size() < p.size()) return SplitResult{0, Error::kOutputTooSmall};
  std::uint8_t* dst = out[0].data();
  if (!p.empty()) std::memcpy(dst, p.data(), p.size());
  if (h.needs_csum()) {
    const std::span<const std::uint8_t> l4(dst + h.csum_start, p.size() - h.csum_start);
    std::uint16_t c = packet::finish(packet::sum_bytes(l4));
    if (c == 0) c = 0xFFFF;
    packet::store_be16(dst + h.csum_start + h.csum_offset, c);
  }
  lengths[0] = p.size();
  return SplitResult{1, std::nullopt};
}

SplitResult count_unsegmented(const vnet::VnetHeader& h, std::size_t len) {
  if (h.needs_csum()) {
    if (auto e = check_csum_bounds(h, len)) return SplitResult{0, e};
  }
  return SplitResult{1, std::nullopt};
}

// Rewrites the headers copied into one segment: lengths, IPv4 ID and checksum, TCP sequence and
// flags, then the L4 checksum from the pseudo-header, the L4 header and the payload's own sum.
struct SegmentWriter {
  const Plan& plan;
  bool tcp;
  std::uint64_t pseudo_base;  // addresses + protocol, without the length
  bool partial = false;       // SegmentChecksum::kPartial
  std::uint16_t ipv4_id0 = 0;
  std::uint32_t seq0 = 0;
  std::uint8_t flags0 = 0;

  // Segment i's payload inside the super-packet `in`.
  std::span<const std::uint8_t> payload(std::size_t i, const std::uint8_t* in) const {
    return {in + plan.header_length + i * plan.gso_size, plan.segment_payload(i)};
  }

  // Writes segment i's headers to `d`, and its payload after them when `copy`; returns the
  // segment's IP length. With the copy, one pass over the payload for it and one, still in
  // cache, for its sum; the header sum is over at most 60 bytes.
  std::size_t write(std::size_t i, const std::uint8_t* in, std::uint8_t* d, bool copy) const {
    const std::size_t hlen = plan.header_length;
    const std::size_t l4_off = plan.layers.l4_offset;
    const auto src = payload(i, in);
    const std::size_t seg = src.size();
    std::memcpy(d, in, hlen);
    if (copy && seg != 0) std::memcpy(d + hlen, src.data(), seg);
    const auto body = copy ? std::span<const std::uint8_t>(d + hlen, seg) : src;
    const std::uint64_t payload_sum = partial ? 0 : packet::sum_bytes(body);
    // Test-only (offload/plant.h): compiles to nothing unless configured with -DTUNBENCH_PLANT=gso-csum-N.
    if constexpr (plant::kGsoCsumPercent != 0)
      plant::burn(body.data(), seg, plant::kGsoCsumPercent * plant::kRoundsPerPercent);

    const std::size_t total = hlen + seg;
    if (plan.layers.version == 4) {
      packet::Ipv4Header ip(std::span<std::uint8_t>(d, l4_off));
      ip.set_total_length(static_cast<std::uint16_t>(total));
      ip.set_id(static_cast<std::uint16_t>(ipv4_id0 + i));
      ip.update_checksum();
    } else {
      packet::Ipv6Header ip(std::span<std::uint8_t>(d, packet::Ipv6Header::kSize));
      ip.set_payload_length(static_cast<std::uint16_t>(total - packet::Ipv6Header::kSize));
    }

    const std::span<std::uint8_t> l4h(d + l4_off, hlen - l4_off);
    const auto l4_len = static_cast<std::uint32_t>(total - l4_off);
    const bool last = i + 1 == plan.segments;
    if (tcp) {
      TcpHeader t(l4h);
      t.set_seq(seq0 + static_cast<std::uint32_t>(i * plan.gso_size));
      std::uint8_t f = flags0;
      if (!last) f &= static_cast<std::uint8_t>(~(TcpHeader::kFin | TcpHeader::kPsh));
      if (i != 0) f &= static_cast<std::uint8_t>(~TcpHeader::kCwr);
      t.set_flags(f);
      if (partial) {
        t.set_checksum(packet::fold(pseudo_base + l4_len));
      } else {
        t.set_checksum(0);
        t.set_checksum(packet::finish(packet::sum_bytes(l4h, pseudo_base + l4_len + payload_sum)));
      }
    } else {
      UdpHeader u(l4h);
      u.set_length(static_cast<std::uint16_t>(l4_len));
      if (partial) {
        u.set_checksum(packet::fold(pseudo_base + l4_len));
      } else {
        u.set_checksum(0);
        const std::uint16_t c = packet::finish(packet::sum_bytes(l4h, pseudo_base + l4_len + payload_sum));
        u.set_checksum(c == 0 ? 0xFFFF : c);
      }
    }
    return total;
  }
};

}  // namespace

SplitResult gso_segment_count(const vnet::VnetHeader& header, std::span<const std::uint8_t> packet) {
  if (header.gso_type == vnet::kGsoNone) return count_unsegmented(header, packet.size());
  const PlanResult r = plan_split(header, packet);
  if (r.error) return SplitResult{0, r.error};
  return SplitResult{r.plan.segments, std::nullopt};
}

namespace {

// gso_split and gso_split_headers: `payloads` empty copies each payload after its headers.
SplitResult split(const vnet::VnetHeader& header, std::span<const std::uint8_t> packet,
                  std::span<const std::span<std::uint8_t>> out, std::span<std::size_t> lengths,
                  std::span<std::span<const std::uint8_t>> payloads, bool copy, SegmentChecksum checksum) {
  if (header.gso_type == vnet::kGsoNone) {
    const SplitResult r = copy_unsegmented(header, packet, out, lengths);
    if (r.ok() && !copy) payloads[0] = {};
    return r;
  }
  const PlanResult r = plan_split(header, packet);
  if (r.error) return SplitResult{0, r.error};
  const Plan& plan = r.plan;

  // Every slot is checked before the first byte is written, so a failure leaves nothing half done.
  if (out.size() < plan.segments || lengths.size() < plan.segments || (!copy && payloads.size() < plan.segments))
    return SplitResult{0, Error::kTooManySegments};
  for (std::size_t i = 0; i < plan.segments; ++i) {
    if (out[i].size() < plan.header_length + (copy ? plan.segment_payload(i) : 0))
      return SplitResult{0, Error::kOutputTooSmall};
  }

  const bool tcp = header.base_gso_type() != vnet::kGsoUdpL4;
  SegmentWriter w{plan, tcp, packet::pseudo_header_sum(plan.layers, 0), checksum == SegmentChecksum::kPartial};
  if (plan.layers.version == 4) w.ipv4_id0 = packet::ConstIpv4Header(packet).id();
  if (tcp) {
    const packet::ConstTcpHeader t(packet.subspan(plan.layers.l4_offset));
    w.seq0 = t.seq();
    w.flags0 = t.flags();
  }
  for (std::size_t i = 0; i < plan.segments; ++i) {
    const std::size_t length = w.write(i, packet.data(), out[i].data(), copy);
    if (copy) {
      lengths[i] = length;
    } else {
      lengths[i] = plan.header_length;
      payloads[i] = w.payload(i, packet.data());
    }
  }
  return SplitResult{plan.segments, std::nullopt};
}

}  // namespace

SplitResult gso_split(const vnet::VnetHeader& header, std::span<const std::uint8_t> packet,
                      std::span<const std::span<std::uint8_t>> out, std::span<std::size_t> lengths,
                      SegmentChecksum checksum) {
  return split(header, packet, out, lengths, {}, /*copy=*/true, checksum);
}

SplitResult gso_split_headers(const vnet::VnetHeader& header, std::span<const std::uint8_t> packet,
                              std::span<const std::span<std::uint8_t>> out, std::span<std::size_t> lengths,
                              std::span<std::span<const std::uint8_t>> payloads, SegmentChecksum checksum) {
  if (payloads.empty()) return SplitResult{0, Error::kTooManySegments};
  return split(header, packet, out, lengths, payloads, /*copy=*/false, checksum);
}

}  // namespace offload

// Fuzzes the GSO split: input = 10-byte virtio_net_hdr (little-endian) + the IP packet, the
// shape of one TUN read. Every output slot is its own heap buffer of exactly the packet's
// length, so ASan catches any write past a segment. On success each segment must parse as a
// strict IP packet with verifying checksums and the segment payloads must concatenate back to
// the super-packet's payload; on failure gso_segment_count must agree on the error.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <span>
#include <vector>

#include "fuzz_check.h"
#include "offload/gso_split.h"
#include "packet/checksum.h"
#include "packet/ip_packet.h"
#include "packet/ipv4_header.h"
#include "packet/tcp_header.h"
#include "packet/udp_header.h"
#include "packet/view.h"
#include "vnet/vnet_header.h"

namespace {

constexpr std::size_t kSlots = 256;  // larger splits must fail with kTooManySegments

// Length of IP + L4 headers of a well-formed segment, or 0.
std::size_t headers_length(std::span<const std::uint8_t> p, const packet::IpLayers& l) {
  const auto l4 = p.subspan(l.l4_offset);
  if (l.l4_protocol == packet::kProtoTcp) {
    if (!packet::ConstTcpHeader::fits(l4)) return 0;
    const std::size_t h = packet::ConstTcpHeader(l4).header_length();
    return h < packet::TcpHeader::kMinSize || h > l4.size() ? 0 : l.l4_offset + h;
  }
  if (l.l4_protocol == packet::kProtoUdp) return packet::ConstUdpHeader::fits(l4) ? l.l4_offset + 8 : 0;
  return 0;
}

bool l4_verifies(std::span<const std::uint8_t> p, const packet::IpLayers& l) {
  const auto l4 = p.subspan(l.l4_offset);
  if (l.l4_protocol == packet::kProtoUdp && packet::ConstUdpHeader(l4).checksum() == 0) return false;
  return packet::sum_verifies(
      packet::sum_bytes(l4, packet::pseudo_header_sum(l, static_cast<std::uint32_t>(l4.size()))));
}

void check_segments(std::span<const std::uint8_t> in, std::span<const std::unique_ptr<std::uint8_t[]>> bufs,
                    std::span<const std::size_t> lengths, std::size_t n, std::uint16_t gso_size) {
  const auto in_parsed = packet::parse_ip(in);
  FUZZ_CHECK(in_parsed.ok);
  const std::size_t in_h = headers_length(in, in_parsed.layers);
  FUZZ_CHECK(in_h != 0);
  std::size_t offset = in_h;  // next payload byte of the super-packet
  for (std::size_t i = 0; i < n; ++i) {
    const std::span<const std::uint8_t> seg(bufs[i].get(), lengths[i]);
    FUZZ_CHECK(lengths[i] <= in.size());
    const auto parsed = packet::parse_ip(seg);
    FUZZ_CHECK(parsed.ok);
    FUZZ_CHECK(parsed.layers.l4_offset == in_parsed.layers.l4_offset);
    FUZZ_CHECK(headers_length(seg, parsed.layers) == in_h);
    if (parsed.layers.version == 4) FUZZ_CHECK(packet::ConstIpv4Header(seg).checksum_valid());
    FUZZ_CHECK(l4_verifies(seg, parsed.layers));
    const std::size_t payload = seg.size() - in_h;
    FUZZ_CHECK(payload <= gso_size);
    FUZZ_CHECK(i + 1 == n || payload == gso_size);
    FUZZ_CHECK(offset + payload <= in.size());
    FUZZ_CHECK(std::memcmp(seg.data() + in_h, in.data() + offset, payload) == 0);
    offset += payload;
  }
  FUZZ_CHECK(offset == in.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < vnet::kHeaderSize) return 0;
  const vnet::VnetHeader h = vnet::decode(std::span<const std::uint8_t, vnet::kHeaderSize>(data, vnet::kHeaderSize));
  // A copy of exactly the packet's size, so reads past its end are caught too.
  const std::size_t len = size - vnet::kHeaderSize;
  std::unique_ptr<std::uint8_t[]> owned(new std::uint8_t[len ? len : 1]);
  if (len) std::memcpy(owned.get(), data + vnet::kHeaderSize, len);
  const std::span<const std::uint8_t> in(owned.get(), len);

  // Slots only for the segments announced (plus none spare), so a split writing more segments
  // than it counted, or more bytes than a packet's length into one, hits ASan.
  const offload::SplitResult count = offload::gso_segment_count(h, in);
  const std::size_t n_slots = count.ok() ? std::min(count.segments, kSlots) : 1;
  std::vector<std::unique_ptr<std::uint8_t[]>> bufs(n_slots);
  std::vector<std::span<std::uint8_t>> slots(n_slots);
  for (std::size_t i = 0; i < n_slots; ++i) {
    bufs[i].reset(new std::uint8_t[len ? len : 1]);
    slots[i] = std::span<std::uint8_t>(bufs[i].get(), len);
  }
  std::vector<std::size_t> lengths(n_slots, 0);

  const offload::SplitResult r = offload::gso_split(h, in, slots, lengths);
  if (!count.ok()) {
    FUZZ_CHECK(r.error == count.error);
    FUZZ_CHECK(r.segments == 0);
    FUZZ_CHECK(offload::to_string(*r.error)[0] != '\0');
    return 0;
  }
  if (count.segments > n_slots) {
    FUZZ_CHECK(r.error == offload::Error::kTooManySegments);
    return 0;
  }
  FUZZ_CHECK(r.ok());
  FUZZ_CHECK(r.segments == count.segments && r.segments >= 1);

  if (h.gso_type == vnet::kGsoNone) {
    FUZZ_CHECK(r.segments == 1 && lengths[0] == len);
    if (!h.needs_csum()) {
      FUZZ_CHECK(len == 0 || std::memcmp(bufs[0].get(), in.data(), len) == 0);
    } else {
      // Everything but the checksum field is copied. The incoming field held the pseudo-header
      // sum, so that sum plus the completed region verifies (when the field is word-aligned
      // from csum_start; otherwise the request is garbage and only bounds matter).
      const std::size_t field = std::size_t{h.csum_start} + h.csum_offset;
      FUZZ_CHECK(std::memcmp(bufs[0].get(), in.data(), field) == 0);
      FUZZ_CHECK(std::memcmp(bufs[0].get() + field + 2, in.data() + field + 2, len - field - 2) == 0);
      FUZZ_CHECK(packet::load_be16(bufs[0].get() + field) != 0);
      if (h.csum_offset % 2 == 0) {
        const std::span<const std::uint8_t> l4(bufs[0].get() + h.csum_start, len - h.csum_start);
        FUZZ_CHECK(packet::sum_verifies(packet::sum_bytes(l4, packet::load_be16(in.data() + field))));
      }
    }
  } else {
    check_segments(in, bufs, lengths, r.segments, h.gso_size);
  }

  // By reference (gso_split_headers): the same verdict, and every segment's headers followed by its
  // payload view, which lies inside the packet, are the bytes the copying split wrote.
  {
    std::vector<std::unique_ptr<std::uint8_t[]>> hbufs(r.segments);
    std::vector<std::span<std::uint8_t>> hslots(r.segments);
    std::vector<std::size_t> hlengths(r.segments, 0);
    std::vector<std::span<const std::uint8_t>> payloads(r.segments);
    for (std::size_t i = 0; i < r.segments; ++i) {
      hbufs[i].reset(new std::uint8_t[lengths[i] ? lengths[i] : 1]);
      hslots[i] = std::span<std::uint8_t>(hbufs[i].get(), lengths[i]);
    }
    const offload::SplitResult v = offload::gso_split_headers(h, in, hslots, hlengths, payloads);
    FUZZ_CHECK(v.ok() && v.segments == r.segments);
    for (std::size_t i = 0; i < v.segments; ++i) {
      FUZZ_CHECK(hlengths[i] + payloads[i].size() == lengths[i]);
      FUZZ_CHECK(std::memcmp(hbufs[i].get(), bufs[i].get(), hlengths[i]) == 0);
      if (payloads[i].empty()) continue;
      FUZZ_CHECK(payloads[i].data() >= in.data() && payloads[i].data() + payloads[i].size() <= in.data() + len);
      FUZZ_CHECK(std::memcmp(payloads[i].data(), bufs[i].get() + hlengths[i], payloads[i].size()) == 0);
    }
  }

  // One slot fewer than needed must be refused, not half-written.
  const offload::SplitResult short_out = offload::gso_split(h, in, std::span(slots).first(r.segments - 1), lengths);
  FUZZ_CHECK(short_out.error == offload::Error::kTooManySegments);
  return 0;
}

#pragma once
// GSO split (docs/offload.md §5): one packet read from a TUN with its virtio_net_hdr becomes
// MTU-sized packets with complete checksums.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "offload/error.h"
#include "vnet/vnet_header.h"

namespace offload {

struct SplitResult {
  std::size_t segments = 0;    // number of out slots filled (lengths[i] set for each)
  std::optional<Error> error;  // set: nothing usable was written, drop the packet
  bool ok() const { return !error; }
};

// What a segment's L4 checksum field gets. kPartial: the folded, non-inverted pseudo-header sum
// of the segment, as for a packet written with NEEDS_CSUM (the kernel's own segmentation leaves
// it so for a device with NETIF_F_HW_CSUM): the payload is never summed, for a consumer that
// coalesces the segments again or hands them on with NEEDS_CSUM (GroTable::coalesce).
enum class SegmentChecksum : std::uint8_t { kComplete, kPartial };

// Splits `packet` (the IP packet that followed `header`, header bytes excluded) into
// `out[0..n)`, writing segment i's length to `lengths[i]`. A packet without GSO is copied to
// out[0] with its checksum completed when NEEDS_CSUM is set. Pure: no syscalls, no allocation.
// Fails with kTooManySegments when `out` has fewer slots than segments, kOutputTooSmall when
// a slot cannot hold a segment. `checksum` applies to the segments of a GSO packet; a packet
// without GSO always gets its checksum completed.
SplitResult gso_split(const vnet::VnetHeader& header, std::span<const std::uint8_t> packet,
                      std::span<const std::span<std::uint8_t>> out, std::span<std::size_t> lengths,
                      SegmentChecksum checksum = SegmentChecksum::kComplete);

// gso_split without copying payload: out[i] receives segment i's rewritten headers only
// (lengths[i] = their length) and payloads[i] the view of its payload inside `packet`, so the
// segment is out[i].first(lengths[i]) followed by payloads[i] and `packet` must outlive it (the
// kernel's skb_segment shares the original's page fragments the same way). A packet without GSO
// is copied whole into out[0], payloads[0] empty. `payloads` needs as many entries as `out`.
SplitResult gso_split_headers(const vnet::VnetHeader& header, std::span<const std::uint8_t> packet,
                              std::span<const std::span<std::uint8_t>> out, std::span<std::size_t> lengths,
                              std::span<std::span<const std::uint8_t>> payloads,
                              SegmentChecksum checksum = SegmentChecksum::kComplete);

// Number of segments `gso_split` would produce, or an error; lets callers size `out`.
SplitResult gso_segment_count(const vnet::VnetHeader& header, std::span<const std::uint8_t> packet);

}  // namespace offload

#pragma once
// Read-side processing of one packet: a packet from a vnet device goes through
// offload::gso_split (a super-packet becomes segments, a NEEDS_CSUM packet gets its checksum
// completed); a packet from a plain device is copied as it is. Counts into the tally:
// `packets` += segments, or 1 plus a drop with the reason.
#include <cstddef>
#include <cstdint>
#include <span>

#include "device/batch_device.h"
#include "forward/counters/tally.h"
#include "offload/gro_table.h"
#include "offload/gso_split.h"

namespace forward {

enum class SplitOutcome { kDone, kDropped, kNoRoom };

struct SplitInto {
  SplitOutcome outcome = SplitOutcome::kDone;
  std::size_t segments = 0;
  // What the segments' L4 checksum fields hold, as GroTable::coalesce takes it: computed here
  // (GSO or NEEDS_CSUM), the pseudo-header sum (kPartial asked for a GSO packet), or as read.
  offload::ChecksumState checksum = offload::kChecksumVerify;
};

// Writes the segments of `packet` (vnet header `header` when `vnet`) into `out` (lengths into
// `lengths`). kNoRoom: `out` has too few slots (nothing counted; the caller frees slots and
// retries, unless `out` was already its whole capacity, in which case pass last_try).
// `checksum` kPartial: the segments of a GSO packet get the pseudo-header sum only, for a writer
// that coalesces them (GroTable) and so writes every one of them with NEEDS_CSUM or merged.
// `payloads` non-empty (as many entries as `out`): the payload of a GSO packet's segments is
// not copied (offload::gso_split_headers): out[i] gets segment i's headers, payloads[i] its
// payload inside `packet`; every other packet is copied whole, payloads[0] empty.
SplitInto split_into(const vnet::VnetHeader& header, std::span<const std::uint8_t> packet, bool vnet,
                     std::span<const std::span<std::uint8_t>> out, std::span<std::size_t> lengths, bool last_try,
                     Tally& t, offload::SegmentChecksum checksum = offload::SegmentChecksum::kComplete,
                     std::span<std::span<const std::uint8_t>> payloads = {});

}  // namespace forward

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

namespace forward {

enum class SplitOutcome { kDone, kDropped, kNoRoom };

struct SplitInto {
  SplitOutcome outcome = SplitOutcome::kDone;
  std::size_t segments = 0;
  bool checksum_computed = false;  // the segments' L4 checksums were computed here (GSO or NEEDS_CSUM)
};

// Writes the segments of `packet` (vnet header `header` when `vnet`) into `out` (lengths into
// `lengths`). kNoRoom: `out` has too few slots (nothing counted; the caller frees slots and
// retries, unless `out` was already its whole capacity, in which case pass last_try).
SplitInto split_into(const vnet::VnetHeader& header, std::span<const std::uint8_t> packet, bool vnet,
                     std::span<const std::span<std::uint8_t>> out, std::span<std::size_t> lengths, bool last_try,
                     Tally& t);

}  // namespace forward

#pragma once
// Per-direction scratch for the segments of one read batch: fixed slots allocated at start-up.
// The reader splits every packet of a batch into it, then the writer coalesces them all at
// once (that is what lets GRO merge a whole batch).
//
// Two ways to hold a segment: copied whole into its slot (packets(), for readers that hand
// segments on to another thread), or by reference (segments(): the slot holds the rewritten
// headers, the payload stays in the read buffer it came in), for a writer that writes before the
// read buffers are reused.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "device/batch_device.h"
#include "forward/stages/split.h"
#include "offload/segment.h"

namespace forward {

enum class Payload : std::uint8_t {
  kCopied,       // every segment whole in its slot
  kByReference,  // a GSO packet's segments: headers in the slot, payload left where it was read
};

class SegmentArena {
 public:
  SegmentArena(std::size_t slots, std::size_t slot_size);

  void clear() { used_ = 0; }
  bool empty() const { return used_ == 0; }
  // Splits (or copies) `packet` into the free slots. kNoRoom: the arena must be emptied
  // (write what it holds) and the packet added again. kByReference: `packet` must stay valid and
  // unchanged until clear().
  SplitOutcome add(const vnet::VnetHeader& header, std::span<const std::uint8_t> packet, bool vnet, Tally& t,
                   offload::SegmentChecksum checksum = offload::SegmentChecksum::kComplete,
                   Payload payload = Payload::kCopied);
  // The segments added since clear(), in order; a segment added kCopied has an empty tail.
  std::span<const offload::Segment> segments() const { return {segments_.data(), used_}; }
  // The same as whole packets; only for segments added kCopied.
  std::span<const std::span<const std::uint8_t>> packets() const { return {views_.data(), used_}; }
  // Per packet, an offload::ChecksumState: computed or left partial by the split, else to verify
  // (see GroTable::coalesce).
  std::span<const std::uint8_t> checksums_ok() const { return {checksum_ok_.data(), used_}; }

 private:
  std::unique_ptr<std::uint8_t[]> storage_;
  std::vector<std::span<std::uint8_t>> slots_;
  std::vector<std::size_t> lengths_;
  std::vector<std::span<const std::uint8_t>> payloads_;
  std::vector<std::span<const std::uint8_t>> views_;
  std::vector<offload::Segment> segments_;
  std::vector<std::uint8_t> checksum_ok_;
  std::size_t used_ = 0;
};

}  // namespace forward

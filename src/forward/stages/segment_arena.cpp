#include "forward/stages/segment_arena.h"

namespace forward {

SegmentArena::SegmentArena(std::size_t slots, std::size_t slot_size)
    : storage_(new std::uint8_t[slots * slot_size]),
      slots_(slots),
      lengths_(slots),
      payloads_(slots),
      views_(slots),
      segments_(slots),
      checksum_ok_(slots) {
  for (std::size_t i = 0; i < slots; ++i) slots_[i] = {storage_.get() + i * slot_size, slot_size};
}

SplitOutcome SegmentArena::add(const vnet::VnetHeader& header, std::span<const std::uint8_t> packet, bool vnet,
                               Tally& t, offload::SegmentChecksum checksum, Payload payload) {
  auto free_slots = std::span<const std::span<std::uint8_t>>(slots_).subspan(used_);
  const auto payloads = payload == Payload::kByReference ? std::span(payloads_).subspan(used_)
                                                         : std::span<std::span<const std::uint8_t>>{};
  auto r = split_into(header, packet, vnet, free_slots, std::span(lengths_).subspan(used_), /*last_try=*/used_ == 0, t,
                      checksum, payloads);
  if (r.outcome != SplitOutcome::kDone) return r.outcome;
  for (std::size_t i = 0; i < r.segments; ++i, ++used_) {
    views_[used_] = slots_[used_].first(lengths_[used_]);
    segments_[used_] = {views_[used_],
                        payload == Payload::kByReference ? payloads_[used_] : std::span<const std::uint8_t>{}};
    checksum_ok_[used_] = r.checksum;
  }
  return SplitOutcome::kDone;
}

}  // namespace forward

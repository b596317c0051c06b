#pragma once
// One IP packet held in up to two pieces: `head` (its headers, and for a packet stored whole all
// of it) followed by `tail` (payload that lives elsewhere, e.g. in the super-packet it was split
// from). The split and the coalescing pass payload by reference, as the kernel's own skb_segment
// and skb_gro_receive share page fragments instead of copying them (docs/offload.md 5.V, 6.V).
#include <cstddef>
#include <cstdint>
#include <span>

namespace offload {

struct Segment {
  std::span<const std::uint8_t> head;
  std::span<const std::uint8_t> tail;  // empty: the packet is all in head

  std::size_t size() const { return head.size() + tail.size(); }
};

}  // namespace offload

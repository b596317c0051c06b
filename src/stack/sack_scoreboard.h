#pragma once
// What the client told us, in the SACK blocks of its ACKs (RFC 2018), that it holds beyond the
// first byte it has not acknowledged: so that after a loss we resend only the holes between those
// blocks (the idea of RFC 6675's scoreboard, reduced to what a sender without its own copy of the
// data needs) instead of everything from that byte on (go-back-N resent 89 MB for a 16 MB
// download at 1 lost packet in 20, docs/stack.md §Loss recovery).
//
// Bounded: at most kMaxRanges disjoint ranges, kept sorted; when a new block would make one
// more, the highest range is dropped (the lowest holes are the ones the client waits for).
// Nothing here is authoritative: a SACKed range may be reneged (RFC 2018 §8), so the timer
// still resends from the first unacknowledged byte.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "stack/tcp_options.h"

namespace stack {

class SackScoreboard {
 public:
  static constexpr std::size_t kMaxRanges = 8;

  // Adds the blocks of one ACK. Only what lies in (una, max] counts: a block at or below una is a
  // D-SACK or stale (RFC 2883), one past max acknowledges what we never sent.
  void add(std::span<const SackBlock> blocks, std::uint32_t una, std::uint32_t max);
  // The client acknowledged everything before una: forget what that covers.
  void advance(std::uint32_t una);
  void clear() { count_ = 0; }
  bool empty() const { return count_ == 0; }
  std::span<const SackBlock> ranges() const { return {ranges_.data(), count_}; }

  // The first hole at or after `from` below the highest SACKed byte: [left, right), where
  // right is the start of the range above it. None when no SACKed range lies above `from`.
  std::optional<SackBlock> next_hole(std::uint32_t from) const;

 private:
  void insert(SackBlock block);

  std::array<SackBlock, kMaxRanges> ranges_{};  // sorted, disjoint, not touching
  std::size_t count_ = 0;
};

}  // namespace stack

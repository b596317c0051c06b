#pragma once
// Plain (non-atomic) per-direction counts a forwarding thread accumulates locally and flushes
// into Counters once per batch, so the hot path touches no shared cache line per packet.
//
// Units (the balance `packets == written + dropped()` holds once nothing is in flight):
// - reads:   packets as returned by the device (a GSO super-packet counts 1);
// - packets: packets entering the forwarder after GSO split (a super-packet split into n
//            segments counts n; one that cannot be split counts 1 and is dropped as 1);
//            a super-packet forwarded whole (passthrough) counts its segments;
// - written: packets delivered to the other device, in the same units (a coalesced write of
//            n packets counts n);
// - writes:  device writes that succeeded (what GRO reduces);
// - bytes:   IP bytes written (virtio headers excluded);
// - batches: device reads that returned at least one packet;
// - gso_fallbacks: GSO writes refused with EINVAL and resent as segments (not a drop).
#include <array>
#include <cstdint>
#include <numeric>

#include "forward/counters/drop_reason.h"

namespace forward {

struct Tally {
  std::uint64_t reads = 0;
  std::uint64_t packets = 0;
  std::uint64_t written = 0;
  std::uint64_t writes = 0;
  std::uint64_t bytes = 0;
  std::uint64_t batches = 0;
  std::uint64_t gso_fallbacks = 0;
  std::array<std::uint64_t, kDropReasonCount> drops{};

  void drop(DropReason r, std::uint64_t n = 1) { drops[static_cast<std::size_t>(r)] += n; }
  std::uint64_t dropped(DropReason r) const { return drops[static_cast<std::size_t>(r)]; }
  std::uint64_t dropped() const { return std::accumulate(drops.begin(), drops.end(), std::uint64_t{0}); }
  bool balanced() const { return packets == written + dropped(); }
  bool empty() const {
    return reads == 0 && packets == 0 && written == 0 && writes == 0 && dropped() == 0 && gso_fallbacks == 0;
  }
};

}  // namespace forward

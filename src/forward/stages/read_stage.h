#pragma once
// Turns one read batch into what the write side sends, resumable so both the blocking and the
// async drivers use it: fill() consumes read packets until the arena is full or the batch is
// done; the driver writes what fill() produced and calls fill() again until finished().
//
// Two shapes: split (every packet through gso_split into the arena, payload by reference, then
// GRO on write) and passthrough (both devices granted the same offloads: a packet, GSO or not,
// is forwarded whole with its virtio header after vnet::validate; see PassthroughForwarder).
#include <cstdint>
#include <span>
#include <vector>

#include "device/batch_device.h"
#include "forward/counters/tally.h"
#include "forward/endpoint.h"
#include "forward/stages/batch_writer.h"
#include "forward/stages/segment_arena.h"

namespace forward {

class ReadStage {
 public:
  ReadStage(bool in_vnet, bool passthrough, std::size_t segment_size);

  void start(std::span<const device::Packet> packets) {
    packets_ = packets;
    next_ = 0;
  }
  bool finished() const { return next_ == packets_.size(); }
  // Processes read packets into the writer; true when there is something to write.
  bool fill(BatchWriter& writer, Tally& t);
  // The whole packets last produced by fill_arena() (copied; fill() keeps payload by reference),
  // e.g. to copy them into frames.
  std::span<const std::span<const std::uint8_t>> segments() const { return arena_.packets(); }
  std::span<const std::uint8_t> segment_checksums_ok() const { return arena_.checksums_ok(); }
  // fill() without a writer: only the arena (channel readers copy segments() out), every
  // checksum complete.
  void fill_arena(Tally& t) { fill_arena(t, offload::SegmentChecksum::kComplete, Payload::kCopied); }

 private:
  void fill_arena(Tally& t, offload::SegmentChecksum checksum, Payload payload);

  bool in_vnet_;
  bool passthrough_;
  std::span<const device::Packet> packets_;
  std::size_t next_ = 0;
  SegmentArena arena_;
  std::vector<device::OutPacket> raw_;
  std::vector<std::uint32_t> raw_counts_;
};

}  // namespace forward

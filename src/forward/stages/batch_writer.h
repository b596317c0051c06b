#pragma once
// Write side of one direction, independent of how the device is driven (blocking or async):
//   begin(packets) → while (!done()) { r = device.send(pending()); on_sent(r, tally); }
// begin() coalesces with offload::GroTable when the device takes GSO writes (options from the
// offloads it granted: tcp = tcp_gso(), udp = udp_gso()). on_sent() accounts what was written
// and handles refusals: a GSO write refused with EINVAL is split and resent as segments
// (docs/offload.md §4/§8: kernels e269d79c7d35 refuse valid GSO writes), counted as a fallback;
// any other refusal drops that write's packets with the reason and carries on.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "device/batch_device.h"
#include "device/io_result.h"
#include "device/offloads.h"
#include "forward/counters/tally.h"
#include "offload/gro_table.h"

namespace forward {

class BatchWriter {
 public:
  BatchWriter(const device::Offloads& out, std::size_t segment_size, std::size_t max_packets);

  // Plain IP packets; they must stay valid until done(). `checksum_ok`: see GroTable::coalesce.
  void begin(std::span<const std::span<const std::uint8_t>> packets, std::span<const std::uint8_t> checksum_ok = {});
  // The same over packets in two pieces (SegmentArena kByReference): written gathered, no
  // payload copied; they and the buffers their tails point into must stay valid until done().
  void begin(std::span<const offload::Segment> segments, std::span<const std::uint8_t> checksum_ok = {});
  // Packets with their own headers (passthrough); `segments[i]` = packets output i stands for.
  void begin_raw(std::span<const device::OutPacket> outs, std::span<const std::uint32_t> segments);

  bool done() const { return pending().empty(); }
  std::span<const device::OutPacket> pending() const;
  void on_sent(device::IoResult r, Tally& t);

  bool coalescing() const { return gro_ != nullptr; }

 private:
  void restart();  // nothing pending, no fallback under way
  void take(std::span<const offload::GroOutput> outputs);
  void advance(std::size_t n, Tally& t);
  void refuse(int error, Tally& t);

  std::unique_ptr<offload::GroTable> gro_;
  std::vector<device::OutPacket> outs_;
  std::vector<std::uint32_t> counts_;
  std::size_t pos_ = 0;

  // Segments of a refused GSO write, sent one by one before outs_[pos_..] resumes; a gathered
  // write is first made whole in fb_whole_ for the split.
  std::vector<std::uint8_t> fb_whole_;
  std::unique_ptr<std::uint8_t[]> fb_storage_;
  std::vector<std::span<std::uint8_t>> fb_slots_;
  std::vector<std::size_t> fb_lengths_;
  std::vector<device::OutPacket> fb_outs_;
  std::size_t fb_pos_ = 0;
  bool in_fallback_ = false;
};

}  // namespace forward

#pragma once
// The receive side of one batch read: kRecvBatch buffers big enough for a super-packet,
// allocated once (uninitialised, so only the pages packets use become resident). reset()
// re-arms them before each read (the device sets length and vnet).
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "device/aligned_bytes.h"
#include "device/batch_device.h"
#include "forward/endpoint.h"

namespace forward {

class RecvSlots {
 public:
  // Each slot starts on a page of its own: the kernel copies every packet read into a slot, and
  // a copy to an aligned destination is the fast one (at a stride of 65535, every other slot
  // started at an odd address).
  static constexpr std::size_t kAlignment = device::kPageAlignment;

  explicit RecvSlots(std::size_t count = kRecvBatch, std::size_t size = kMaxPacket)
      : stride_(device::round_up(size, kAlignment)),
        storage_(device::make_aligned_bytes(count * stride_, kAlignment)),
        packets_(count),
        size_(size) {
    reset();
  }
  std::span<device::Packet> reset() {
    for (std::size_t i = 0; i < packets_.size(); ++i) packets_[i] = {{storage_.get() + i * stride_, size_}, 0, {}};
    return packets_;
  }
  std::span<device::Packet> packets() { return packets_; }
  std::size_t stride() const { return stride_; }

 private:
  std::size_t stride_;
  device::AlignedBytes storage_;
  std::vector<device::Packet> packets_;
  std::size_t size_;
};

// The buffer of the per-packet modes, which read one packet at a time; page-aligned like the
// slots. Left uninitialised: zeroing 64 KB would make all of it resident, while a packet without
// offload touches one page.
class ReadBuffer {
 public:
  ReadBuffer() : storage_(device::make_aligned_bytes(kMaxPacket, RecvSlots::kAlignment)) {}
  std::span<std::uint8_t> bytes() { return {storage_.get(), kMaxPacket}; }

 private:
  device::AlignedBytes storage_;
};

}  // namespace forward

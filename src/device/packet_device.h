#pragma once
// One packet per call. The forwarder's view of a TUN without virtio headers (or of any
// packet-oriented fd); it never knows which.
#include <cstdint>
#include <span>

#include "device/io_result.h"

namespace device {

class PacketDevice {
 public:
  virtual ~PacketDevice() = default;
  // Blocks until one IP packet is read into `buffer` (count = its length), the device fails,
  // or interrupt() is called (error = ECANCELED).
  virtual IoResult read(std::span<std::uint8_t> buffer) = 0;
  // Writes one whole IP packet (count = bytes written).
  virtual IoResult write(std::span<const std::uint8_t> packet) = 0;
  // Wakes every blocked read/recv so a thread can stop; later calls return ECANCELED.
  virtual void interrupt() = 0;
};

}  // namespace device

#pragma once
// PacketDevice + BatchDevice over any packet-preserving fd: one read() is one packet, one
// write() one packet. That is a TUN queue, and also an AF_UNIX SOCK_SEQPACKET socket, which is
// how the unit tests drive this code without root.
//
// The fd is switched to non-blocking; blocking calls poll() on {fd, eventfd} so interrupt()
// can wake readers (and writers waiting for room) from another thread.
//
// With offloads.vnet_hdr every packet on the wire is preceded by the 10-byte virtio_net_hdr:
// recv_batch decodes it into Packet::vnet, send_batch encodes OutPacket::vnet; the
// PacketDevice calls hide it (read drops it, write sends an all-zero one).
//
// Buffers must hold the largest packet (65535 for a TUN with offloads): a longer packet is
// truncated by the kernel, as with any datagram read.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>

#include "device/batch_device.h"
#include "device/offloads.h"
#include "device/packet_device.h"
#include "device/unique_fd.h"

namespace device {

class FdQueue : public PacketDevice, public BatchDevice {
 public:
  // Takes ownership of `fd`. Throws std::system_error if the eventfd cannot be created.
  FdQueue(UniqueFd fd, Offloads offloads);
  ~FdQueue() override = default;
  FdQueue(const FdQueue&) = delete;
  FdQueue& operator=(const FdQueue&) = delete;

  IoResult read(std::span<std::uint8_t> buffer) override;
  IoResult write(std::span<const std::uint8_t> packet) override;
  IoResult recv_batch(std::span<Packet> packets) override;
  IoResult send_batch(std::span<const OutPacket> packets) override;
  Offloads offloads() const override { return offloads_; }
  // Idempotent and thread-safe; the queue stays cancelled for good.
  void interrupt() override;

  int fd() const { return fd_.get(); }

 private:
  // Waits for `events` on the fd: 0 when ready, ECANCELED after interrupt(), or an errno.
  int wait(short events);
  IoResult read_one(std::span<std::uint8_t> buffer, vnet::VnetHeader* header);
  IoResult write_one(std::span<const std::uint8_t> bytes, const vnet::VnetHeader& header);

  UniqueFd fd_;
  UniqueFd wake_;  // eventfd: stays readable once signalled, so every later poll wakes too
  Offloads offloads_;
  std::atomic<bool> interrupted_{false};
};

}  // namespace device

#pragma once
// PacketDevice + BatchDevice over any packet-preserving fd: one read() is one packet, one
// write() one packet. That is a TUN queue, and also an AF_UNIX SOCK_SEQPACKET socket, which is
// how the unit tests drive this code without root.
//
// The fd is switched to blocking: a read sleeps in the kernel until a packet comes, one system
// call per packet. (Non-blocking reads with poll() on EAGAIN cost three when the queue runs
// empty, which in the per-packet modes it does for most packets.) interrupt() wakes a thread
// blocked in a call with a signal (EINTR); batches drain the backlog with RWF_NOWAIT reads.
//
// With offloads.vnet_hdr every packet on the wire is preceded by the 10-byte virtio_net_hdr:
// recv_batch decodes it into Packet::vnet, send_batch encodes OutPacket::vnet; the
// PacketDevice calls hide it (read drops it, write sends an all-zero one).
//
// Buffers must hold the largest packet (65535 for a TUN with offloads): a longer packet is
// truncated by the kernel, as with any datagram read.
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>

#include "device/batch_device.h"
#include "device/offloads.h"
#include "device/packet_device.h"
#include "device/unique_fd.h"

namespace device {

class FdQueue : public PacketDevice, public BatchDevice {
 public:
  // Takes ownership of `fd`. Throws std::system_error if its flags cannot be set.
  FdQueue(UniqueFd fd, Offloads offloads);
  ~FdQueue() override = default;
  FdQueue(const FdQueue&) = delete;
  FdQueue& operator=(const FdQueue&) = delete;

  IoResult read(std::span<std::uint8_t> buffer) override;
  IoResult write(std::span<const std::uint8_t> packet) override;
  IoResult recv_batch(std::span<Packet> packets) override;
  IoResult send_batch(std::span<const OutPacket> packets) override;
  Offloads offloads() const override { return offloads_; }
  // Idempotent and thread-safe; the queue stays cancelled for good. Returns once no thread is
  // blocked in a call of this queue any more (each one gets ECANCELED).
  void interrupt() override;

  int fd() const { return fd_.get(); }

 protected:
  // blocking() for a derived queue's own system call (UringQueue's io_uring_enter).
  long blocking_call(short events, const std::function<long()>& call);

 private:
  // Runs a blocking system call (returning -errno) so that interrupt() can end it: the calling
  // thread is registered in blocked_ for its duration. -ECANCELED once interrupted.
  template <class Call>
  long blocking(short events, Call call);
  IoResult read_one(std::span<std::uint8_t> buffer, vnet::VnetHeader* header);
  IoResult write_one(std::span<const std::uint8_t> bytes, const vnet::VnetHeader& header,
                     std::span<const std::span<const std::uint8_t>> more = {});

  // More threads than modes ever put on one queue (two: sync-gso-concurrent).
  static constexpr std::size_t kMaxBlocked = 16;

  UniqueFd fd_;
  Offloads offloads_;
  std::atomic<bool> interrupted_{false};
  std::array<std::atomic<unsigned long>, kMaxBlocked> blocked_{};  // pthread_t of threads in a call; 0 = free
};

}  // namespace device

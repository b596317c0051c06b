#pragma once
// One packet read or write on a packet-preserving fd, with the virtio_net_hdr in front when the
// device has one. Shared by the blocking FdQueue, the Asio AsyncTunDevice and tunstack so the
// wire format lives in one place.
#include <cstdint>
#include <span>

#include "device/batch_device.h"
#include "vnet/vnet_header.h"

namespace device {

enum class Wait : std::uint8_t {
  kAsTheFdSays,  // blocks or not as the fd's O_NONBLOCK says; a signal is retried
  kUntilSignal,  // as the fd says, but a signal ends the call with -EINTR (FdQueue::interrupt)
  kNever,        // never blocks, even on a blocking fd (RWF_NOWAIT): -EAGAIN when empty
};

// Returns the IP packet length (header excluded), or -errno: -EAGAIN when nothing is queued,
// -EPIPE on an empty read (a socket peer's EOF; a TUN never reads empty), -EBADMSG when a
// vnet read is shorter than the header. `header` (may be null) is zeroed without vnet.
long read_packet(int fd, bool vnet_hdr, std::span<std::uint8_t> buffer, vnet::VnetHeader* header,
                 Wait wait = Wait::kAsTheFdSays);

// Returns the IP bytes written (header excluded), or -errno (-EAGAIN when the queue is full).
// The packet is `bytes` followed by the pieces of `more` (at most kMaxOutPieces, else -EMSGSIZE).
long write_packet(int fd, bool vnet_hdr, std::span<const std::uint8_t> bytes, const vnet::VnetHeader& header,
                  Wait wait = Wait::kAsTheFdSays, std::span<const std::span<const std::uint8_t>> more = {});

}  // namespace device

#pragma once
// One non-blocking packet read or write on a packet-preserving fd, with the virtio_net_hdr in
// front when the device has one. Shared by the blocking FdQueue and the Asio AsyncTunDevice so
// the wire format lives in one place.
#include <cstdint>
#include <span>

#include "vnet/vnet_header.h"

namespace device {

// Returns the IP packet length (header excluded), or -errno: -EAGAIN when nothing is queued,
// -EPIPE on an empty read (a socket peer's EOF; a TUN never reads empty), -EBADMSG when a
// vnet read is shorter than the header. `header` (may be null) is zeroed without vnet.
long read_packet(int fd, bool vnet_hdr, std::span<std::uint8_t> buffer, vnet::VnetHeader* header);

// Returns the IP bytes written (header excluded), or -errno (-EAGAIN when the queue is full).
long write_packet(int fd, bool vnet_hdr, std::span<const std::uint8_t> bytes, const vnet::VnetHeader& header);

}  // namespace device

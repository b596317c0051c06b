#pragma once
// Where the stack's packets to the client go: the TUN (tun_sink.h) or, in unit tests, a
// recording fake. The stack builds each packet in place in buffer() (peeking socket data
// straight into it), then send()s it with its virtio-net header.
#include <cstddef>
#include <cstdint>
#include <span>

#include "vnet/vnet_header.h"

namespace stack {

class PacketSink {
 public:
  virtual ~PacketSink() = default;
  // Room for one packet of up to 65535 bytes; valid until the next send().
  virtual std::span<std::uint8_t> buffer() = 0;
  // Writes buffer()[0, length) with `header`; false when the device refused it (counted by the
  // caller as Drop::kTunWrite).
  virtual bool send(std::size_t length, const vnet::VnetHeader& header) = 0;
};

}  // namespace stack

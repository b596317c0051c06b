#pragma once
// Vectors of packets, each with its virtio_net_hdr. The forwarder's view of a TUN opened with
// IFF_VNET_HDR (and, with vnet_hdr off, of a plain TUN read in batches).
#include <cstddef>
#include <cstdint>
#include <span>

#include "device/io_result.h"
#include "device/offloads.h"
#include "vnet/vnet_header.h"

namespace device {

// One slot of a batch. On recv the caller provides `buffer` (capacity) and the device sets
// `length` and `vnet`; on send `buffer.first(length)` is the IP packet and `vnet` its header
// (ignored when the device has no vnet header).
struct Packet {
  std::span<std::uint8_t> buffer;
  std::size_t length = 0;
  vnet::VnetHeader vnet{};

  std::span<std::uint8_t> bytes() const { return buffer.first(length); }
};

// Most pieces an OutPacket may carry in `more` (the writer's iovec has room for them).
inline constexpr std::size_t kMaxOutPieces = 64;

// Read-only counterpart used on send, so a GRO output that points into a table's buffer can
// be written without a copy. The packet is `bytes` followed by the pieces of `more` (at most
// kMaxOutPieces), written as one packet with one gathering write: a GRO output whose payload
// stayed in the buffers it was read into.
struct OutPacket {
  std::span<const std::uint8_t> bytes;
  vnet::VnetHeader vnet{};
  std::span<const std::span<const std::uint8_t>> more{};

  std::size_t size() const {
    std::size_t n = bytes.size();
    for (const auto& piece : more) n += piece.size();
    return n;
  }
};

class BatchDevice {
 public:
  virtual ~BatchDevice() = default;
  // Blocks until at least one packet is there, then reads as many as are ready, up to
  // packets.size(); count = packets filled. ECANCELED after interrupt().
  virtual IoResult recv_batch(std::span<Packet> packets) = 0;
  // Writes packets in order; count = packets written, error = errno of the first refused one
  // (which is not written; later ones are not attempted).
  virtual IoResult send_batch(std::span<const OutPacket> packets) = 0;
  // What the device negotiated; vnet_hdr says whether headers travel with packets.
  virtual Offloads offloads() const = 0;
  virtual void interrupt() = 0;
};

}  // namespace device

#pragma once
// Writes one packet to a PacketDevice for the modes without batches: retried when a signal
// interrupted it, otherwise counted as written or dropped with the reason of its errno.
#include <cstdint>
#include <span>

#include "device/packet_device.h"
#include "forward/counters/tally.h"

namespace forward {

void write_one(device::PacketDevice& dst, std::span<const std::uint8_t> packet, Tally& t);

}  // namespace forward

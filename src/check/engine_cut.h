#pragma once
// What a packet with a virtio-net header stands for, as the offload engine cuts it: the segments
// of a GSO super-packet, or the one packet with its checksum completed for NEEDS_CSUM. Shared by
// the flag rules (flag_ledger) and the crafted cases (crafted_crossing).
#include <cstdint>
#include <span>
#include <vector>

#include "vnet/vnet_header.h"

namespace check {

// offload::gso_split of `p` under `h`; empty when the engine refuses it.
std::vector<std::vector<std::uint8_t>> engine_cut(const vnet::VnetHeader& h, std::span<const std::uint8_t> p);

}  // namespace check

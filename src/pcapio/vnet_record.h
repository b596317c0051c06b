#pragma once
// A USER0 record (docs/offload.md §11) is a 10-byte little-endian virtio_net_hdr followed by the IP
// packet, exactly what read(2) returns from a TUN opened with IFF_VNET_HDR.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "vnet/vnet_header.h"

namespace pcapio {

struct VnetRecord {
  vnet::VnetHeader header;
  std::span<const std::uint8_t> packet;  // borrows the record's bytes after the header
};

// Nothing when the record is shorter than the header.
std::optional<VnetRecord> split_vnet_record(std::span<const std::uint8_t> record);

// Header bytes then packet bytes, replacing `out`'s contents (its capacity is reused).
void build_vnet_record(const vnet::VnetHeader& header, std::span<const std::uint8_t> packet,
                       std::vector<std::uint8_t>& out);
std::vector<std::uint8_t> build_vnet_record(const vnet::VnetHeader& header, std::span<const std::uint8_t> packet);

}  // namespace pcapio

#pragma once
// The plain packets the offload engine makes of one record (vnet header + IP packet,
// docs/offload.md §5), for tests that check what a forwarder or the kernel wrote by splitting it
// back. Links tb_offload.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "offload/gso_split.h"
#include "support/packet_builder.h"
#include "vnet/vnet_header.h"

namespace tbtest {

struct EngineSplit {
  std::optional<offload::Error> error;  // set: the engine refused the record, no segments
  std::vector<Bytes> segments;
  bool ok() const { return !error; }
};

// A record without GSO is one segment (its checksum completed when NEEDS_CSUM is set).
inline EngineSplit engine_split(const vnet::VnetHeader& header, std::span<const std::uint8_t> packet) {
  const auto count = offload::gso_segment_count(header, packet);
  if (!count.ok()) return {count.error, {}};
  // No segment is longer than the record it comes from.
  std::vector<Bytes> storage(count.segments, Bytes(packet.size()));
  std::vector<std::span<std::uint8_t>> slots(storage.begin(), storage.end());
  std::vector<std::size_t> lengths(count.segments);
  const auto r = offload::gso_split(header, packet, slots, lengths);
  if (!r.ok()) return {r.error, {}};
  storage.resize(r.segments);
  for (std::size_t i = 0; i < r.segments; ++i) storage[i].resize(lengths[i]);
  return {std::nullopt, std::move(storage)};
}

}  // namespace tbtest

#include "pcapio/vnet_record.h"

#include <algorithm>

namespace pcapio {

std::optional<VnetRecord> split_vnet_record(std::span<const std::uint8_t> record) {
  if (record.size() < vnet::kHeaderSize) return std::nullopt;
  return VnetRecord{vnet::decode(record.first<vnet::kHeaderSize>()), record.subspan(vnet::kHeaderSize)};
}

void build_vnet_record(const vnet::VnetHeader& header, std::span<const std::uint8_t> packet,
                       std::vector<std::uint8_t>& out) {
  out.resize(vnet::kHeaderSize + packet.size());
  vnet::encode(header, std::span(out).first<vnet::kHeaderSize>());
  std::copy(packet.begin(), packet.end(), out.begin() + vnet::kHeaderSize);
}

std::vector<std::uint8_t> build_vnet_record(const vnet::VnetHeader& header, std::span<const std::uint8_t> packet) {
  std::vector<std::uint8_t> out;
  build_vnet_record(header, packet, out);
  return out;
}

}  // namespace pcapio

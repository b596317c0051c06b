#include "check/engine_cut.h"

#include <algorithm>

#include "offload/gso_split.h"
#include "packet/ip_packet.h"
#include "packet/tcp_header.h"

namespace check {

std::vector<std::vector<std::uint8_t>> engine_cut(const vnet::VnetHeader& h, std::span<const std::uint8_t> p) {
  const auto count = offload::gso_segment_count(h, p);
  if (!count.ok()) return {};
  const auto layers = packet::parse_ip(p);
  if (!layers.ok) return {};
  // A segment is the headers (L4 at most 60 bytes) plus at most gso_size bytes of payload.
  const std::size_t slot =
      h.is_gso() ? std::min(p.size(), layers.layers.l4_offset + packet::ConstTcpHeader::kMaxSize + h.gso_size)
                 : p.size();
  std::vector<std::vector<std::uint8_t>> pieces(count.segments, std::vector<std::uint8_t>(slot));
  std::vector<std::span<std::uint8_t>> out(pieces.begin(), pieces.end());
  std::vector<std::size_t> lengths(pieces.size());
  if (!offload::gso_split(h, p, out, lengths).ok()) return {};
  for (std::size_t i = 0; i < pieces.size(); ++i) pieces[i].resize(lengths[i]);
  return pieces;
}

}  // namespace check

#include "forward/stages/split.h"

#include <algorithm>

#include "offload/gso_split.h"

namespace forward {

SplitInto split_into(const vnet::VnetHeader& header, std::span<const std::uint8_t> packet, bool vnet,
                     std::span<const std::span<std::uint8_t>> out, std::span<std::size_t> lengths, bool last_try,
                     Tally& t, offload::SegmentChecksum checksum, std::span<std::span<const std::uint8_t>> payloads) {
  if (out.empty()) {
    if (!last_try) return {SplitOutcome::kNoRoom, 0};
    t.packets += 1;
    t.drop(drop_reason(offload::Error::kTooManySegments));
    return {SplitOutcome::kDropped, 0};
  }
  if (!vnet) {
    t.packets += 1;
    if (packet.size() > out[0].size()) {
      t.drop(DropReason::kTooBig);
      return {SplitOutcome::kDropped, 0};
    }
    std::copy(packet.begin(), packet.end(), out[0].begin());
    lengths[0] = packet.size();
    if (!payloads.empty()) payloads[0] = {};
    return {SplitOutcome::kDone, 1};
  }
  const auto r = payloads.empty() ? offload::gso_split(header, packet, out, lengths, checksum)
                                  : offload::gso_split_headers(header, packet, out, lengths, payloads, checksum);
  if (r.ok()) {
    t.packets += r.segments;
    // gso_split completes the checksum of a packet without GSO whatever it was asked.
    const auto state = header.is_gso() && checksum == offload::SegmentChecksum::kPartial ? offload::kChecksumPartial
                       : header.is_gso() || header.needs_csum()                          ? offload::kChecksumComputed
                                                                                         : offload::kChecksumVerify;
    return {SplitOutcome::kDone, r.segments, state};
  }
  if (*r.error == offload::Error::kTooManySegments && !last_try) return {SplitOutcome::kNoRoom, 0};
  t.packets += 1;
  t.drop(drop_reason(*r.error));
  return {SplitOutcome::kDropped, 0};
}

}  // namespace forward

#include "forward/stages/read_stage.h"

#include "offload/gso_split.h"

namespace forward {

ReadStage::ReadStage(bool in_vnet, bool passthrough, std::size_t segment_size)
    : in_vnet_(in_vnet), passthrough_(passthrough), arena_(passthrough ? 1 : kMaxSegments, segment_size) {
  raw_.reserve(kRecvBatch);
  raw_counts_.reserve(kRecvBatch);
}

void ReadStage::fill_arena(Tally& t, offload::SegmentChecksum checksum, Payload payload) {
  arena_.clear();
  while (next_ < packets_.size()) {
    const auto& p = packets_[next_];
    if (arena_.add(p.vnet, p.bytes(), in_vnet_, t, checksum, payload) == SplitOutcome::kNoRoom)
      return;  // write, then resume here
    ++next_;
  }
}

bool ReadStage::fill(BatchWriter& writer, Tally& t) {
  if (!passthrough_) {
    // A coalescing writer writes every segment merged or with NEEDS_CSUM: nobody needs the
    // payload summed (a tenth of sync-gso-concurrent's samples when it was). The writer is done
    // before the read buffers are reused, so segments keep their payload where it was read: the
    // only copies of it are the kernel's, into user space and out again.
    fill_arena(t, writer.coalescing() ? offload::SegmentChecksum::kPartial : offload::SegmentChecksum::kComplete,
               Payload::kByReference);
    writer.begin(arena_.segments(), arena_.checksums_ok());
    return !arena_.empty();
  }
  raw_.clear();
  raw_counts_.clear();
  for (; next_ < packets_.size(); ++next_) {
    const auto& p = packets_[next_];
    if (vnet::validate(p.vnet, p.length)) {
      t.packets += 1;
      t.drop(DropReason::kVnetInvalid);
      continue;
    }
    // The segment count keeps the units of the split modes and checks the IP/L4 headers agree
    // with the vnet header, so a malformed super-packet is dropped here, not by the kernel.
    const auto count = offload::gso_segment_count(p.vnet, p.bytes());
    if (!count.ok()) {
      t.packets += 1;
      t.drop(drop_reason(*count.error));
      continue;
    }
    t.packets += count.segments;
    raw_.push_back({p.bytes(), p.vnet});
    raw_counts_.push_back(static_cast<std::uint32_t>(count.segments));
  }
  writer.begin_raw(raw_, raw_counts_);
  return !raw_.empty();
}

}  // namespace forward

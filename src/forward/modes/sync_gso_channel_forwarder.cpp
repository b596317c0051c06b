#include "forward/modes/sync_gso_channel_forwarder.h"

#include <algorithm>
#include <vector>

#include "forward/stages/batch_writer.h"
#include "forward/stages/read_stage.h"
#include "forward/stages/recv_slots.h"
#include "offload/segment.h"

namespace forward {

void SyncGsoChannelForwarder::interrupt_all() {
  for (auto* e : {&setup_.first, &setup_.second})
    for (auto* b : e->batch) b->interrupt();
  close_channels();
}

void SyncGsoChannelForwarder::reader(std::size_t d) {
  const Endpoint& in = setup_.in(d);
  device::BatchDevice& src = *in.batch.at(0);
  DirectionCounters& shared = counters_.direction(d);
  RecvSlots slots;
  ReadStage stage(src.offloads().vnet_hdr, false, segment_size(setup_.options));
  std::vector<Frame> frames;
  frames.reserve(kMaxSegments);
  Tally t;
  while (!stopping()) {
    const auto r = src.recv_batch(slots.reset());
    if (r.count != 0) {
      t.reads += r.count;
      ++t.batches;
      stage.start(slots.packets().first(r.count));
      while (!stage.finished()) {
        stage.fill_arena(t);
        frames.clear();
        const auto segments = stage.segments();
        const auto checksums_ok = stage.segment_checksums_ok();
        for (std::size_t i = 0; i < segments.size(); ++i) {
          Frame f = *store_.acquire(segments[i].size());
          std::copy(segments[i].begin(), segments[i].end(), f.data);
          f.length = static_cast<std::uint32_t>(segments[i].size());
          f.checksum_ok = checksums_ok[i] != 0;
          frames.push_back(f);
        }
        shared.flush(t);  // count them read before the writer can count them written
        const std::size_t pushed = channels_[d]->push_all(frames);
        for (std::size_t i = pushed; i < frames.size(); ++i) {  // closed while pushing
          store_.release(frames[i]);
          t.drop(DropReason::kShutdown);
        }
      }
    }
    shared.flush(t);
    if (!r.ok() && on_read_error(in.name, r.error)) break;
  }
  shared.flush(t);
}

void SyncGsoChannelForwarder::writer(std::size_t d) {
  const Endpoint& out = setup_.out(d);
  device::BatchDevice& dst = *out.batch.at(0);
  DirectionCounters& shared = counters_.direction(d);
  BatchWriter writer(dst.offloads(), segment_size(setup_.options), kWriteBatch);
  std::vector<Frame> frames(kWriteBatch);
  // Whole packets, each in its frame; frames are released only after the write, so GRO gathers
  // their payload instead of copying it (docs/offload.md 6.V).
  std::vector<offload::Segment> segments(kWriteBatch);
  std::vector<std::uint8_t> checksums_ok(kWriteBatch);
  Tally t;
  for (;;) {
    const std::size_t n = channels_[d]->pop_some(frames);
    if (n == 0) break;
    for (std::size_t i = 0; i < n; ++i) {
      segments[i] = {frames[i].bytes(), {}};
      checksums_ok[i] = frames[i].checksum_ok ? 1 : 0;
    }
    writer.begin(std::span<const offload::Segment>(segments).first(n),
                 std::span<const std::uint8_t>(checksums_ok).first(n));
    while (!writer.done()) writer.on_sent(dst.send_batch(writer.pending()), t);
    for (std::size_t i = 0; i < n; ++i) store_.release(frames[i]);
    shared.flush(t);
  }
  shared.flush(t);
}

}  // namespace forward

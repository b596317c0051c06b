#include "forward/stages/framed.h"

#include <algorithm>

namespace forward {

FramedReader::FramedReader(device::AsyncBatchDevice& in, FrameStore& store, std::size_t segment_size)
    : in_(in), store_(store), stage_(in.offloads().vnet_hdr, false, segment_size) {
  frames_.reserve(kMaxSegments);
}

void FramedReader::async_read(Tally& t, Handler h) {
  // One read in flight at a time: the handler and tally wait in members, so the completion
  // captures only `this` and fits std::function's inline storage (a capture of the handler
  // itself was one heap allocation per read batch, seen by perf_pool_allocates_nothing_per_packet).
  tally_ = &t;
  handler_ = std::move(h);
  in_.async_recv_batch(slots_.reset(), [this](device::IoResult r) {
    Tally& tally = *tally_;
    frames_.clear();
    if (r.count != 0) {
      tally.reads += r.count;
      ++tally.batches;
      stage_.start(slots_.packets().first(r.count));
      while (!stage_.finished()) {
        stage_.fill_arena(tally);
        const auto segments = stage_.segments();
        const auto checksums_ok = stage_.segment_checksums_ok();
        for (std::size_t i = 0; i < segments.size(); ++i) {
          auto f = store_.acquire(segments[i].size());
          if (!f) {
            tally.drop(DropReason::kNoBuffer);
            continue;
          }
          std::copy(segments[i].begin(), segments[i].end(), f->data);
          f->length = static_cast<std::uint32_t>(segments[i].size());
          f->checksum_ok = checksums_ok[i] != 0;
          frames_.push_back(*f);
        }
      }
    }
    handler_(frames_, r.error);
  });
}

FramedWriter::FramedWriter(device::AsyncBatchDevice& out, FrameStore& store, std::size_t segment_size,
                           std::size_t capacity)
    : out_(out), store_(store), capacity_(capacity), writer_(out.offloads(), segment_size, capacity) {
  fed_.reserve(capacity);
  segments_.reserve(capacity);
  checksums_ok_.reserve(capacity);
}

void FramedWriter::async_flush(Tally& t, std::function<void()> done) {
  done_ = std::move(done);
  segments_.clear();
  checksums_ok_.clear();
  // Frames are released only once written (send()), so GRO gathers their payload instead of
  // copying it (docs/offload.md 6.V).
  for (const auto& f : fed_) {
    segments_.push_back({f.bytes(), {}});
    checksums_ok_.push_back(f.checksum_ok ? 1 : 0);
  }
  writer_.begin(segments_, checksums_ok_);
  send(t);
}

void FramedWriter::send(Tally& t) {
  if (writer_.done()) {
    for (const auto& f : fed_) store_.release(f);
    fed_.clear();
    std::exchange(done_, nullptr)();
    return;
  }
  out_.async_send_batch(writer_.pending(), [this, &t](device::IoResult r) {
    writer_.on_sent(r, t);
    send(t);
  });
}

}  // namespace forward

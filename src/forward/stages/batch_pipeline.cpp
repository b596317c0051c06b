#include "forward/stages/batch_pipeline.h"

#include "offload/plant.h"

namespace forward {

BatchPipeline::BatchPipeline(device::BatchDevice& in, device::BatchDevice& out, bool passthrough,
                             std::size_t segment_size, DirectionCounters& counters,
                             std::function<bool(int)> on_read_error)
    : in_(in),
      out_(out),
      counters_(counters),
      on_read_error_(std::move(on_read_error)),
      stage_(in.offloads().vnet_hdr, passthrough && can_pass_whole(in.offloads(), out.offloads()), segment_size),
      writer_(out.offloads(), segment_size, kMaxSegments) {}

void BatchPipeline::write(Tally& t) {
  while (!writer_.done()) writer_.on_sent(out_.send_batch(writer_.pending()), t);
  // Test-only (offload/plant.h): compiles to nothing unless configured with -DTUNBENCH_PLANT=extra-write.
  if constexpr (offload::plant::kExtraWrite) out_.send_batch({});
}

void BatchPipeline::run(const std::atomic<bool>& stopping) {
  Tally t;
  while (!stopping.load(std::memory_order_acquire)) {
    const auto r = in_.recv_batch(slots_.reset());
    if (r.count != 0) {
      t.reads += r.count;
      ++t.batches;
      stage_.start(slots_.packets().first(r.count));
      while (!stage_.finished()) {
        if (stage_.fill(writer_, t)) write(t);
      }
      counters_.flush(t);
    }
    if (!r.ok() && on_read_error_(r.error)) break;
  }
  counters_.flush(t);
}

}  // namespace forward

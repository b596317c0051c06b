#include "forward/stages/async_pipeline.h"

#include "forward/stages/batch_pipeline.h"

namespace forward {

AsyncPipeline::AsyncPipeline(device::AsyncBatchDevice& in, device::AsyncBatchDevice& out, bool passthrough,
                             std::size_t segment_size, DirectionCounters& counters, const std::atomic<bool>& stopping,
                             std::function<bool(int)> on_read_error)
    : in_(in),
      out_(out),
      counters_(counters),
      stopping_(stopping),
      on_read_error_(std::move(on_read_error)),
      stage_(in.offloads().vnet_hdr, passthrough && can_pass_whole(in.offloads(), out.offloads()), segment_size),
      writer_(out.offloads(), segment_size, kMaxSegments) {}

void AsyncPipeline::read() {
  counters_.flush(tally_);
  if (stopping_.load(std::memory_order_acquire)) return;
  in_.async_recv_batch(slots_.reset(), [this](device::IoResult r) { on_read(r); });
}

void AsyncPipeline::on_read(device::IoResult r) {
  read_error_ = r.error;
  if (r.count == 0) {
    if (r.ok() || !on_read_error_(r.error)) read();
    return;
  }
  tally_.reads += r.count;
  ++tally_.batches;
  stage_.start(slots_.packets().first(r.count));
  process();
}

void AsyncPipeline::process() {
  while (!stage_.finished()) {
    if (stage_.fill(writer_, tally_)) {
      send();  // comes back here when the writer is done
      return;
    }
  }
  if (read_error_ != 0 && on_read_error_(read_error_)) {
    counters_.flush(tally_);
    return;
  }
  read();
}

void AsyncPipeline::send() {
  if (writer_.done()) {
    process();
    return;
  }
  out_.async_send_batch(writer_.pending(), [this](device::IoResult r) {
    writer_.on_sent(r, tally_);
    send();
  });
}

}  // namespace forward

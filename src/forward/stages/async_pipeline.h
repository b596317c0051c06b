#pragma once
// One direction of async-normal / async-gso as a chain of continuations on the io_context:
// async_recv_batch → ReadStage (split, or copy for a plain device) → BatchWriter (GRO,
// fallback) → async_send_batch → next read. One read or write in flight at a time, so the
// direction needs no lock; it ends on a cancelled or failed read.
#include <atomic>
#include <functional>

#include "device/async_batch_device.h"
#include "forward/counters/counters.h"
#include "forward/stages/batch_writer.h"
#include "forward/stages/read_stage.h"
#include "forward/stages/recv_slots.h"

namespace forward {

class AsyncPipeline {
 public:
  // passthrough: forward super-packets whole when both devices granted the same offloads
  // (see ReadStage), else split and coalesce as async-gso does.
  AsyncPipeline(device::AsyncBatchDevice& in, device::AsyncBatchDevice& out, bool passthrough, std::size_t segment_size,
                DirectionCounters& counters, const std::atomic<bool>& stopping, std::function<bool(int)> on_read_error);
  void start() { read(); }

 private:
  void read();
  void on_read(device::IoResult r);
  void process();
  void send();

  device::AsyncBatchDevice& in_;
  device::AsyncBatchDevice& out_;
  DirectionCounters& counters_;
  const std::atomic<bool>& stopping_;
  std::function<bool(int)> on_read_error_;
  RecvSlots slots_;
  ReadStage stage_;
  BatchWriter writer_;
  Tally tally_;
  int read_error_ = 0;
};

}  // namespace forward

#pragma once
// One direction on one queue pair, blocking: recv_batch → ReadStage (split or passthrough) →
// BatchWriter (GRO, fallback) → send_batch, until the device is interrupted or fails.
#include <functional>
#include <string>

#include "device/batch_device.h"
#include "forward/counters/counters.h"
#include "forward/stages/batch_writer.h"
#include "forward/stages/read_stage.h"
#include "forward/stages/recv_slots.h"

namespace forward {

class BatchPipeline {
 public:
  // on_read_error(errno) → true when the loop must end (see ForwarderBase::on_read_error).
  BatchPipeline(device::BatchDevice& in, device::BatchDevice& out, bool passthrough, std::size_t segment_size,
                DirectionCounters& counters, std::function<bool(int)> on_read_error);
  void run(const std::atomic<bool>& stopping);

 private:
  void write(Tally& t);

  device::BatchDevice& in_;
  device::BatchDevice& out_;
  DirectionCounters& counters_;
  std::function<bool(int)> on_read_error_;
  RecvSlots slots_;
  ReadStage stage_;
  BatchWriter writer_;
};

// Whether passthrough may forward super-packets whole between these two devices.
inline bool can_pass_whole(const device::Offloads& in, const device::Offloads& out) {
  return in.vnet_hdr && out.vnet_hdr && in == out;
}

}  // namespace forward

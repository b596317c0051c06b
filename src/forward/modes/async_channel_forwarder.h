#pragma once
// The async modes with a channel: per direction a reader task (FramedReader: read, split or
// copy into frames) and a writer task (FramedWriter: feed, then flush with GRO), joined by an
// AsyncChannel of 2048 frames; a direction's reader, writer and channel share one executor.
//   async-normal-channel    plain devices, heap frames, writer takes ≤ kWriteBatch per flush
//   async-gso-channel       vnet devices, heap frames
//   async-gso-channel-pool  vnet devices, frames from a BufferPool (no allocation after start)
//   async-framed            plain devices; the writer feeds every frame ready, then flushes
//   async-gso-framed        vnet devices, framed
#include <array>
#include <memory>

#include "forward/channels/async_channel.h"
#include "forward/forwarder.h"
#include "forward/registry.h"
#include "forward/stages/framed.h"

namespace forward {

class AsyncChannelForwarder final : public ForwarderBase {
 public:
  // Reads its shape from the mode: pool (frames from a BufferPool) and framed (the writer
  // takes every frame ready, up to kMaxSegments, instead of kWriteBatch).
  AsyncChannelForwarder(const Setup& setup, const Mode& mode);
  ~AsyncChannelForwarder() override;
  Status run() override;
  const BufferPool* pool() const override;

 private:
  struct Direction;
  void interrupt_all() override;
  void read(Direction& d);
  void pump(Direction& d);
  void wait(Direction& d);
  void take(Direction& d);

  Setup setup_;
  std::unique_ptr<FrameStore> store_;
  std::array<std::unique_ptr<Direction>, 2> dirs_;
};

}  // namespace forward

#pragma once
// The async modes with a channel: per direction a reader task (FramedReader: read, split or
// copy into frames) and a writer task (FramedWriter: feed, then flush with GRO), joined by an
// AsyncChannel of 2048 frames, all on one io_context.
//   async-normal-channel    plain devices, heap frames, writer takes ≤ kWriteBatch per flush
//   async-gso-channel       vnet devices, heap frames
//   async-gso-channel-pool  vnet devices, frames from a BufferPool (no allocation after start)
//   async-framed            plain devices; the writer feeds every frame ready, then flushes
//   async-gso-framed        vnet devices, framed
#include <array>
#include <memory>

#include "forward/async_channel.h"
#include "forward/forwarder.h"
#include "forward/framed.h"

namespace forward {

struct ChannelShape {
  bool pooled = false;
  bool framed = false;
};

class AsyncChannelForwarder final : public ForwarderBase {
 public:
  AsyncChannelForwarder(const Setup& setup, ChannelShape shape);
  ~AsyncChannelForwarder() override;
  Status run() override;
  // The pool of a pooled shape (for tests and statistics), else nullptr.
  const BufferPool* pool() const;

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

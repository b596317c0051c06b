#pragma once
// The shape both sync channel modes share: per direction a reader thread and a writer thread
// joined by a bounded 2048-entry Channel of heap frames. What is still queued when the
// forwarder stops is counted as dropped, so packets == written + dropped holds.
#include <array>
#include <memory>

#include "forward/channels/channel.h"
#include "forward/channels/frame.h"
#include "forward/forwarder.h"

namespace forward {

class SyncChannelBase : public ForwarderBase {
 public:
  ~SyncChannelBase() override;
  Status run() final;

 protected:
  explicit SyncChannelBase(const Setup& setup);
  // Direction d: 0 reads the first device and writes the second, 1 the other way.
  virtual void reader(std::size_t d) = 0;
  virtual void writer(std::size_t d) = 0;
  // For interrupt_all(): wakes writers blocked on an empty channel.
  void close_channels();

  Setup setup_;
  HeapFrameStore store_;
  std::array<std::unique_ptr<Channel<Frame>>, 2> channels_;
};

}  // namespace forward

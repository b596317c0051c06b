#pragma once
// sync-gso-channel: per direction a reader thread (recv_batch, gso_split, each segment copied
// into a heap frame) and a writer thread (up to kWriteBatch frames, GRO, send_batch), joined
// by a bounded 2048-entry Channel. A read batch is pushed in one go so the writer sees it whole.
#include <array>
#include <memory>

#include "forward/channel.h"
#include "forward/forwarder.h"
#include "forward/frame.h"

namespace forward {

class SyncGsoChannelForwarder final : public ForwarderBase {
 public:
  explicit SyncGsoChannelForwarder(const Setup& setup);
  ~SyncGsoChannelForwarder() override;
  Status run() override;

 private:
  void interrupt_all() override;
  void reader(std::size_t d);
  void writer(std::size_t d);

  Setup setup_;
  HeapFrameStore store_;
  std::array<std::unique_ptr<Channel<Frame>>, 2> channels_;
};

}  // namespace forward

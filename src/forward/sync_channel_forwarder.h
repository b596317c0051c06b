#pragma once
// sync-normal-channel: per direction a reader thread (PacketDevice::read, one packet per
// call, copied into a heap frame) and a writer thread, joined by a bounded 2048-entry Channel.
#include <array>
#include <memory>

#include "forward/channel.h"
#include "forward/forwarder.h"
#include "forward/frame.h"

namespace forward {

class SyncChannelForwarder final : public ForwarderBase {
 public:
  explicit SyncChannelForwarder(const Setup& setup);
  ~SyncChannelForwarder() override;
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

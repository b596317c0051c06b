#pragma once
// sync-normal-channel: per direction a reader thread (PacketDevice::read, one packet per
// call, copied into a heap frame) and a writer thread, joined by a bounded 2048-entry Channel.
#include "forward/sync_channel_base.h"

namespace forward {

class SyncChannelForwarder final : public SyncChannelBase {
 public:
  explicit SyncChannelForwarder(const Setup& setup) : SyncChannelBase(setup) {}

 private:
  void interrupt_all() override;
  void reader(std::size_t d) override;
  void writer(std::size_t d) override;
};

}  // namespace forward

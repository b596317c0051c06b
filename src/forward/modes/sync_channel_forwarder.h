#pragma once
// sync-normal-channel: per direction a reader thread (PacketDevice::read, one packet per
// call, copied into a heap frame) and a writer thread, joined by a bounded 2048-entry Channel.
#include "forward/modes/sync_channel_base.h"
#include "forward/registry.h"

namespace forward {

class SyncChannelForwarder final : public SyncChannelBase {
 public:
  SyncChannelForwarder(const Setup& setup, const Mode&) : SyncChannelBase(setup) {}

 private:
  void interrupt_all() override;
  void reader(std::size_t d) override;
  void writer(std::size_t d) override;
};

}  // namespace forward

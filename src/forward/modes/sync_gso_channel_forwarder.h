#pragma once
// sync-gso-channel: per direction a reader thread (recv_batch, gso_split, each segment copied
// into a heap frame) and a writer thread (up to kWriteBatch frames, GRO, send_batch), joined
// by a bounded 2048-entry Channel. A read batch is pushed in one go so the writer sees it whole.
#include "forward/modes/sync_channel_base.h"
#include "forward/registry.h"

namespace forward {

class SyncGsoChannelForwarder final : public SyncChannelBase {
 public:
  SyncGsoChannelForwarder(const Setup& setup, const Mode&) : SyncChannelBase(setup) {}

 private:
  void interrupt_all() override;
  void reader(std::size_t d) override;
  void writer(std::size_t d) override;
};

}  // namespace forward

#include "forward/modes/sync_channel_base.h"

#include <thread>
#include <vector>

namespace forward {

SyncChannelBase::SyncChannelBase(const Setup& setup)
    : ForwarderBase(setup), setup_(setup), store_(segment_size(setup.options)) {
  for (auto& c : channels_) c = std::make_unique<Channel<Frame>>();
}

SyncChannelBase::~SyncChannelBase() {
  for (auto& c : channels_) c->drain([&](const Frame& f) { store_.release(f); });
}

void SyncChannelBase::close_channels() {
  for (auto& c : channels_) c->close();
}

Status SyncChannelBase::run() {
  std::vector<std::thread> threads;
  for (std::size_t d = 0; d < 2; ++d) {
    threads.emplace_back([this, d] { reader(d); });
    threads.emplace_back([this, d] { writer(d); });
  }
  for (auto& t : threads) t.join();
  for (std::size_t d = 0; d < 2; ++d) {
    Tally t;
    t.drop(DropReason::kShutdown, channels_[d]->drain([&](const Frame& f) { store_.release(f); }));
    counters_.direction(d).flush(t);
  }
  return status();
}

}  // namespace forward

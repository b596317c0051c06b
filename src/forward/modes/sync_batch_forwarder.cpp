#include "forward/modes/sync_batch_forwarder.h"

#include <algorithm>
#include <stdexcept>
#include <thread>

namespace forward {

SyncBatchForwarder::SyncBatchForwarder(const Setup& setup, const Mode& mode) : ForwarderBase(setup), setup_(setup) {
  const std::size_t queues = std::min(setup.first.batch.size(), setup.second.batch.size());
  if (queues == 0) throw std::invalid_argument("forwarder needs a batch device on both sides");
  for (std::size_t q = 0; q < queues; ++q) {
    for (std::size_t d = 0; d < 2; ++d) {
      const Endpoint& in = setup_.in(d);
      const Endpoint& out = setup_.out(d);
      pipelines_.push_back(std::make_unique<BatchPipeline>(
          *in.batch[q], *out.batch[q], mode.passthrough, segment_size(setup.options), counters_.direction(d),
          [this, name = in.name](int error) { return on_read_error(name, error); }));
    }
  }
}

void SyncBatchForwarder::interrupt_all() {
  for (auto* e : {&setup_.first, &setup_.second})
    for (auto* b : e->batch) b->interrupt();
}

Status SyncBatchForwarder::run() {
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < pipelines_.size(); ++i)
    threads.emplace_back([this, i] { pipelines_[i]->run(stop_flag()); });
  pipelines_[0]->run(stop_flag());
  for (auto& t : threads) t.join();
  return status();
}

}  // namespace forward

// tunfwd-faults' decorate(): every device wrapped in the fault decorators (src/faults/), with the
// plan from TUNFWD_FAULT_*. Built for the tests only; see faults/fault_plan.h.
#include <vector>

#include "faults/faulty_device.h"
#include "tunfwd/decorate.h"

namespace tunfwd {

struct Decoration {
  explicit Decoration(faults::FaultPlan plan) : injector(plan) {}
  faults::Injector injector;
  std::vector<std::unique_ptr<faults::FaultyQueue>> queues;
  std::vector<std::unique_ptr<faults::FaultyAsyncDevice>> async;
};

void DecorationDeleter::operator()(Decoration* d) const { delete d; }

DecorationHandle decorate(forward::Setup& setup, std::string& description) {
  const auto plan = faults::FaultPlan::from_env();
  description = plan.describe();
  if (!plan.active()) return nullptr;
  DecorationHandle d(new Decoration(plan));
  for (forward::Endpoint* ep : {&setup.first, &setup.second}) {
    for (std::size_t q = 0; q < ep->batch.size(); ++q) {
      d->queues.push_back(std::make_unique<faults::FaultyQueue>(*ep->packet.at(q), *ep->batch[q], d->injector));
      ep->packet[q] = d->queues.back().get();
      ep->batch[q] = d->queues.back().get();
    }
    // Reads pass through untouched; only the views that write are wrapped.
    for (auto& view : ep->async_write) {
      d->async.push_back(std::make_unique<faults::FaultyAsyncDevice>(*view, d->injector));
      view = d->async.back().get();
    }
  }
  return d;
}

}  // namespace tunfwd

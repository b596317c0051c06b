#pragma once
// async-normal, async-gso and passthrough-async: one task (AsyncPipeline) per direction over
// AsyncBatchDevice, no channel. With vnet devices the task splits and coalesces (async-gso), or
// forwards super-packets whole (passthrough-async: no copies beyond the read and the write).
// Each direction is serial on its own event loop (Setup::loop); two loops run on two threads.
#include <array>
#include <memory>

#include "forward/forwarder.h"
#include "forward/registry.h"
#include "forward/stages/async_pipeline.h"

namespace forward {

class AsyncForwarder final : public ForwarderBase {
 public:
  AsyncForwarder(const Setup& setup, const Mode& mode);
  Status run() override;

 private:
  void interrupt_all() override;

  Setup setup_;
  std::array<std::unique_ptr<AsyncPipeline>, 2> pipes_;
};

}  // namespace forward

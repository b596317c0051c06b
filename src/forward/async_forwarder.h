#pragma once
// async-normal and async-gso: one io_context, one task (AsyncPipeline) per direction over
// AsyncBatchDevice, no channel. With vnet devices the task splits and coalesces (async-gso), or
// forwards super-packets whole (passthrough-async: both directions on one thread, no copies
// beyond the read and the write).
#include <array>
#include <memory>

#include "forward/async_pipeline.h"
#include "forward/forwarder.h"

namespace forward {

class AsyncForwarder final : public ForwarderBase {
 public:
  explicit AsyncForwarder(const Setup& setup, bool passthrough = false);
  Status run() override;

 private:
  void interrupt_all() override;

  Setup setup_;
  std::array<std::unique_ptr<AsyncPipeline>, 2> pipes_;
};

// Runs `io` until it has no more work, on the calling thread (the async modes are one task
// per direction on one loop: serial handlers make cancellation at stop race-free).
void run_io(boost::asio::io_context& io);
// Posts a cancel of every async device of `setup` to the io_context (cancel is not thread-safe).
void post_cancel_all(const Setup& setup, std::function<void()> also = {});

}  // namespace forward

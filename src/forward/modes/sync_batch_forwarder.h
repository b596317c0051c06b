#pragma once
// Blocking batch forwarding over BatchDevice: one thread per direction per queue, each a
// BatchPipeline on queue q of one device and queue q of the other (the kernel keeps a flow on
// one queue, so per-flow order holds). The shapes:
//   sync-normal          1 queue, no offload, over UringQueue (a batch is one io_uring_enter)
//   sync-gso             1 queue, split + GRO
//   sync-gso-concurrent  2 queues (two threads per direction), split + GRO
//   passthrough          1 queue, super-packets forwarded whole when both sides granted the
//                        same offloads (else split + GRO)
//   passthrough-mq       N queues of passthrough
#include <memory>
#include <vector>

#include "forward/forwarder.h"
#include "forward/registry.h"
#include "forward/stages/batch_pipeline.h"

namespace forward {

class SyncBatchForwarder final : public ForwarderBase {
 public:
  SyncBatchForwarder(const Setup& setup, const Mode& mode);
  Status run() override;

 private:
  void interrupt_all() override;

  Setup setup_;
  std::vector<std::unique_ptr<BatchPipeline>> pipelines_;
};

}  // namespace forward

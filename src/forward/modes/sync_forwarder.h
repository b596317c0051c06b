#pragma once
// sync-normal-syscall: one blocking thread per direction over PacketDevice, one packet per call:
// read into a buffer, write the same bytes to the other device.
#include <memory>

#include "forward/forwarder.h"
#include "forward/registry.h"

namespace forward {

class SyncForwarder final : public ForwarderBase {
 public:
  SyncForwarder(const Setup& setup, const Mode& mode);
  Status run() override;

 private:
  void interrupt_all() override;
  void direction(std::size_t d);

  Setup setup_;
};

}  // namespace forward

#include "forward/forwarder.h"

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace forward {

ReadFailure classify_read_error(int error) {
  switch (error) {
    case ECANCELED: return ReadFailure::kStopped;
    // Transient: the device is fine, the next read may succeed.
    case EINTR:
    case EAGAIN:
    case ENOBUFS:
    case ENOMEM: return ReadFailure::kRetry;
    // EBADFD, EIO, ENODEV, ENXIO (device gone), EBADF and anything unexpected: stop loudly
    // rather than spin on a dead fd.
    default: return ReadFailure::kFatal;
  }
}

std::string read_error_message(const std::string& device, int error) {
  // A TUN fd whose device was deleted (ip link del) reads EBADFD: say so, not just the errno.
  const char* hint = error == EBADFD || error == ENODEV || error == ENXIO ? ": the device is gone (deleted?)" : "";
  return fmt::format("{}: read failed: {} (errno {}){}", device, std::strerror(error), error, hint);
}

void ForwarderBase::stop() {
  if (stopping_.exchange(true, std::memory_order_acq_rel)) return;
  interrupt_all();
}

void ForwarderBase::fail(std::string message) {
  {
    std::lock_guard lock(mu_);
    if (error_.empty()) error_ = std::move(message);
  }
  stop();
}

Status ForwarderBase::status() const {
  std::lock_guard lock(mu_);
  return error_.empty() ? Status{} : Status{false, error_};
}

bool ForwarderBase::on_read_error(const std::string& device, int error) {
  switch (classify_read_error(error)) {
    case ReadFailure::kRetry: return stopping();
    case ReadFailure::kStopped:
      stop();  // one side cancelled: the whole forwarder ends
      return true;
    case ReadFailure::kFatal:
      if (!stopping()) fail(read_error_message(device, error));
      return true;
  }
  return true;
}

}  // namespace forward

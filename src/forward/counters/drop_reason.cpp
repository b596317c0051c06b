#include "forward/counters/drop_reason.h"

#include <cerrno>

namespace forward {

static_assert(static_cast<std::size_t>(offload::Error::kTruncated) + 1 == offload::kErrorCount,
              "DropReason mirrors offload::Error: keep both enums in step");

DropReason write_drop_reason(int error) {
  switch (error) {
    case EINVAL: return DropReason::kWriteInvalid;
    case ENOBUFS:
    case EAGAIN: return DropReason::kWriteQueueFull;
    case ECANCELED: return DropReason::kShutdown;
    default: return DropReason::kWriteOther;
  }
}

const char* to_string(DropReason reason) {
  const auto i = static_cast<std::size_t>(reason);
  if (i < offload::kErrorCount) return offload::to_string(static_cast<offload::Error>(i));
  switch (reason) {
    case DropReason::kVnetInvalid: return "invalid vnet header";
    case DropReason::kWriteInvalid: return "write EINVAL";
    case DropReason::kWriteQueueFull: return "write queue full (ENOBUFS/EAGAIN)";
    case DropReason::kWriteOther: return "write error";
    case DropReason::kTooBig: return "packet too big";
    case DropReason::kNoBuffer: return "no free buffer";
    case DropReason::kShutdown: return "queued at shutdown";
    default: return "unknown";
  }
}

}  // namespace forward

namespace forward {

const char* key(DropReason reason) {
  const auto i = static_cast<std::size_t>(reason);
  if (i < offload::kErrorCount) return offload::key(static_cast<offload::Error>(i));
  switch (reason) {
    case DropReason::kVnetInvalid: return "vnet-invalid";
    case DropReason::kWriteInvalid: return "write-einval";
    case DropReason::kWriteQueueFull: return "write-queue-full";
    case DropReason::kWriteOther: return "write-error";
    case DropReason::kTooBig: return "too-big";
    case DropReason::kNoBuffer: return "no-buffer";
    case DropReason::kShutdown: return "queued-at-shutdown";
    default: return "unknown";
  }
}

}  // namespace forward

#pragma once
// Why a packet did not reach the other device (channels never drop: a full channel makes the
// reader wait). The first values mirror offload::Error one to
// one (a split refused the packet for that reason), so a drop keeps the engine's exact reason.
#include <cstddef>
#include <cstdint>

#include "offload/error.h"

namespace forward {

enum class DropReason : std::uint8_t {
  // 0 .. offload::kErrorCount-1: offload::Error values, in the same order.
  kVnetInvalid = offload::kErrorCount,  // passthrough: vnet::validate refused the header
  kWriteInvalid,                        // write refused with EINVAL (not a GSO write: those fall back to segments)
  kWriteQueueFull,                      // write refused with ENOBUFS / EAGAIN
  kWriteOther,                          // write refused with any other errno
  kTooBig,                              // packet larger than the buffer slot it must be copied into
  kNoBuffer,                            // the buffer pool was empty (sized so that this does not happen)
  kShutdown,                            // still queued between reader and writer when the forwarder stopped
};
inline constexpr std::size_t kDropReasonCount = static_cast<std::size_t>(DropReason::kShutdown) + 1;

inline DropReason drop_reason(offload::Error e) { return static_cast<DropReason>(e); }
// The reason for a write refused with `error` (an errno).
DropReason write_drop_reason(int error);
// What happened, for people: "write queue full (ENOBUFS/EAGAIN)", "IPv4 fragment".
const char* to_string(DropReason reason);
// A stable machine name, for JSON: "write-queue-full", "ipv4-fragment".
const char* key(DropReason reason);

}  // namespace forward

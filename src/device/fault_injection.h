#pragma once
// TEST-ONLY fault injection in the device write path, for tests/integration/faults: it lets a
// test make a real TUN refuse writes the way a buggy or full kernel queue would. Never set these
// in production; tunfwd prints a warning when one is active.
//
//   TUNFWD_FAULT_GSO_EINVAL=N     every Nth GSO write (vnet gso_type != none) fails with EINVAL
//                                 without writing anything (offload.md §8: kernels that refuse
//                                 valid GSO writes), which exercises BatchWriter's fallback;
//   TUNFWD_FAULT_WRITE_ENOBUFS=N  every Nth write fails with ENOBUFS without writing anything
//                                 (a full queue), which must be counted as a drop.
//
// The variables are read once, on first use (tunfwd calls describe() at start-up); N = 0 or
// unset disables. The counts are process-wide (all queues and directions share them).
#include <string>

namespace device::fault {

// 0: perform the write; otherwise the errno this write must fail with.
int inject_write(bool gso);
// "" when nothing is injected, else e.g. "TUNFWD_FAULT_GSO_EINVAL=7".
std::string describe();

}  // namespace device::fault

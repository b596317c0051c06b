#pragma once
// What to inject, and the shared count of writes that decides when. TEST-ONLY: the tests of
// tests/integration/faults run `tunfwd-faults` (tunfwd with its devices wrapped in the
// decorators of faulty_device.h) with these variables set:
//
//   TUNFWD_FAULT_GSO_EINVAL=N     every Nth GSO write (vnet gso_type != none) fails with EINVAL
//                                 without writing anything (docs/offload.md §4, §8: kernels that
//                                 refused valid GSO writes), which exercises the writer's fallback;
//   TUNFWD_FAULT_WRITE_ENOBUFS=N  every Nth write fails with ENOBUFS without writing anything
//                                 (a full queue), which must be counted as a drop.
//
// N = 0 or unset disables. The counts are shared by every decorated device (all queues and
// directions), as a kernel queue's would be.
#include <atomic>
#include <cstdint>
#include <string>

namespace faults {

struct FaultPlan {
  std::uint64_t gso_einval_every = 0;
  std::uint64_t write_enobufs_every = 0;

  // From the TUNFWD_FAULT_* variables; throws std::invalid_argument naming a bad value.
  static FaultPlan from_env();
  bool active() const { return gso_einval_every != 0 || write_enobufs_every != 0; }
  // "TUNFWD_FAULT_GSO_EINVAL=7 TUNFWD_FAULT_WRITE_ENOBUFS=50", or "" when nothing is injected.
  std::string describe() const;
};

// Thread-safe: decides, write by write, which ones fail.
class Injector {
 public:
  explicit Injector(FaultPlan plan) : plan_(plan) {}
  // 0: perform this write; otherwise the errno it must fail with. `gso`: the write carries a
  // GSO header.
  int next_write(bool gso);
  const FaultPlan& plan() const { return plan_; }

 private:
  FaultPlan plan_;
  std::atomic<std::uint64_t> writes_{0}, gso_writes_{0};
};

}  // namespace faults

#pragma once
// Where the forwarder's threads run (tunfwd and tunstack --cpus). Measured on the 2-core development VM
// (README, "Thread placement"): keeping every forwarding thread on one CPU, away from the CPU
// the sending application runs on, raised every offload mode by 15-30 % and cut its CPU per
// Gbps, because the scheduler otherwise moves the forwarder between CPUs and it loses its
// cache and interrupts the sender's CPU.
//
//   auto      every forwarding thread on the highest CPU the process may use (CPU 0 usually
//             takes the most interrupts), when the process may use at least 2 CPUs
//   none      leave placement to the scheduler
//   LIST      these CPUs, e.g. "1" or "0,2-3": the threads float within the set
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace os {

struct CpuPlacement {
  std::vector<int> cpus;  // empty: no pinning

  bool pinned() const { return !cpus.empty(); }
  std::string describe() const;  // "cpu 1", "cpus 0,2,3", "not pinned"
};

// Parses `spec` against the CPUs the process may use now (`allowed`, ascending). On error
// returns nullopt and says what was wrong in `error` ("--cpus 7: CPU 7 is not available (0-1)").
std::optional<CpuPlacement> parse_cpu_placement(std::string_view spec, const std::vector<int>& allowed,
                                                std::string& error);

// The CPUs the calling thread may run on (sched_getaffinity), ascending.
std::vector<int> allowed_cpus();

// Applies the placement to the calling thread, so every thread it starts later inherits it.
// Returns "" on success, else the reason.
std::string apply_cpu_placement(const CpuPlacement& placement);

}  // namespace os

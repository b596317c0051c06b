#pragma once
// When a sample is not trusted: other work on the machine or the hypervisor took CPU from the
// benchmark while it ran, so its throughput says more about the neighbours than the forwarder.
namespace harness {

struct Thresholds {
  double max_others_cpu = 15.0;      // % of one core used by unrelated processes
  double max_steal_percent = 5.0;    // % of all CPU time stolen by the hypervisor
};

}  // namespace harness

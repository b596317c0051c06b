#pragma once
// One row of tunreplay: a tunfwd mode, built from its registry entry exactly as tunfwd builds it,
// run (Forwarder::run, the code tunfwd runs) over replay devices until one workload has gone
// through, with the run as the measured region.
#include <cstdint>
#include <string>

#include "forward/registry.h"
#include "replay_device.h"
#include "workload.h"

namespace replay {

struct RowResult {
  std::string mode;
  std::string workload;
  bool ok = true;
  std::string error;
  std::uint64_t segments = 0;       // segments fed (and, when ok, written)
  std::uint64_t payload_bytes = 0;  // TCP/UDP payload fed
  DeviceCounts in;                  // the device the workload is read from
  DeviceCounts out;                 // the device it is written to
  std::uint64_t allocations = 0;    // operator new calls by the forwarder during the run
};

// `measured`: the run is the measured region (dumped under "MODE/WORKLOAD"); else it only warms
// up (first-use initialisation of the mode's code, e.g. Asio's services, is not a per-segment cost).
RowResult run_row(const forward::Mode& mode, const Workload& workload, bool measured = true);

}  // namespace replay

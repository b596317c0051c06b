#pragma once
// One row of tunreplay: a tunfwd mode, built from its registry entry exactly as tunfwd builds it,
// run (Forwarder::run, the code tunfwd runs) over replay devices until one workload has gone
// through, with the run as the measured region.
#include <cstdint>
#include <string>

#include "forward/registry.h"
#include "replay_device.h"
#include "row_result.h"
#include "workload.h"

namespace replay {

// `measured`: the run is the measured region (dumped under "MODE/WORKLOAD"); else it only warms
// up (first-use initialisation of the mode's code, e.g. Asio's services, is not a per-segment cost).
RowResult run_row(const forward::Mode& mode, const Workload& workload, bool measured = true);

}  // namespace replay

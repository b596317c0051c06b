#pragma once
// The counters as JSON, the machine-readable twin of Counters::format(): what `tunfwd
// --stats-json FILE` writes on exit and what the harness and the tests read
// (harness/forwarder_stats.h). Format tunfwd-stats/1, documented in docs/architecture.md.
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "forward/counters/counters.h"

namespace forward {

// {"from", "to", "reads", "packets", "written", "writes", "bytes", "batches", "gso_fallbacks",
//  "dropped", "drops": {"<key(reason)>": n, ...}} (only reasons that occurred).
nlohmann::json direction_json(const std::string& from, const std::string& to, const Tally& t);
// {"format": "tunfwd-stats/1", "directions": [first→second, second→first]}.
nlohmann::json counters_json(const Counters& counters);

}  // namespace forward

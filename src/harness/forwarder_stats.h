#pragma once
// tunfwd's counters as it writes them on exit (`tunfwd --stats-json`, format tunfwd-stats/1,
// written by forward/counters/counters_json.cpp), read back for `tunbench soak`, reports and
// tests: no regular expressions over text.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace harness {

struct DirectionStats {
  std::string from, to;
  std::uint64_t reads = 0, packets = 0, written = 0, writes = 0, bytes = 0, batches = 0, gso_fallbacks = 0, dropped = 0;
  std::map<std::string, std::uint64_t> drops;  // by reason key ("write-queue-full", …)

  std::uint64_t reason_sum() const;
  // Every packet that entered this direction was written or dropped with a reason.
  bool balanced() const { return packets == written + dropped && dropped == reason_sum(); }
  std::uint64_t dropped_for(const std::string& reason) const;
};

struct ForwarderStats {
  std::string mode;
  bool ok = false;                         // the forwarder ended without a device failure
  std::string error;                       // why it failed, else ""
  std::vector<DirectionStats> directions;  // [first→second, second→first]

  std::uint64_t dropped() const;
};

// Throws std::runtime_error naming the field that is missing or wrong.
ForwarderStats parse_forwarder_stats(const nlohmann::json& j);
// The file tunfwd wrote; nullopt when it does not exist or is empty (tunfwd did not get to exit).
std::optional<ForwarderStats> read_forwarder_stats(const std::string& path);

}  // namespace harness

#pragma once
// One tunreplay run as the gate reads it: the driver's JSON (segments, device calls,
// allocations per row) joined with the callgrind dump of each row (instructions, functions).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "detgate/callgrind_dump.h"

namespace detgate {

struct RowRun {
  std::string label;  // MODE/WORKLOAD
  std::string mode;
  std::string workload;
  bool ok = false;  // the row forwarded every segment it was given
  std::uint64_t segments = 0;
  std::uint64_t payload_bytes = 0;
  // Device calls (each a system call on a real TUN).
  std::uint64_t reads = 0;
  std::uint64_t writes = 0;
  std::uint64_t gso_writes = 0;
  // Kernel socket calls (tunstack's rows: send, peek, consume…; each a system call). 0 for the
  // forwarder rows and in documents written before the stack rows.
  std::uint64_t socket_calls = 0;
  std::uint64_t allocations = 0;
  std::uint64_t bytes_in = 0;           // copied by the device into the forwarder
  std::uint64_t bytes_out = 0;          // handed by the forwarder to the device
  std::optional<std::uint64_t> ir;      // instructions in the measured region; none without a dump
  std::optional<std::uint64_t> cycles;  // estimated (cache simulation), for information only

  double ir_per_segment() const;
};

struct Run {
  std::string plant = "none";  // the planted slowdown the measured build carries (test-only)
  std::map<std::string, RowRun> rows;
  // Every function's own instructions summed over all rows.
  std::map<std::string, std::uint64_t> self_ir;
};

// Joins tunreplay's JSON (format tunreplay/1) with the row dumps (matched by label). Throws
// std::runtime_error on a document of another format.
Run make_run(const nlohmann::json& replay, const std::vector<CallgrindDump>& dumps);

}  // namespace detgate

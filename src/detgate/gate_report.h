#pragma once
// The deterministic gate's verdict over every row, and its report: markdown (one table per mode,
// the functions that moved most, what the method cannot see) and JSON (format tb-detgate/1).
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "detgate/compare.h"
#include "detgate/function_diff.h"
#include "detgate/run.h"

namespace detgate {

struct GateInput {
  std::string base_desc;  // "origin/main (c65f43c)"
  std::string head_desc;
  std::string machine;  // CPU model, cores
  std::string command;  // how the gate was run
  Run base[2];
  Run head[2];
  Thresholds thresholds;
};

struct GateResult {
  std::vector<RowComparison> rows;  // by label (mode, then workload)
  std::vector<FunctionChange> functions;
  std::size_t failed = 0;  // rows whose verdict fails the gate
  std::size_t warned = 0;
  std::size_t unstable = 0;
  std::size_t flagged = 0;  // device calls per segment changed
  std::size_t judged() const { return rows.size() - unstable; }
  bool passed() const { return failed == 0; }
};

GateResult evaluate(const GateInput& in, std::size_t top_functions = 15);
std::string markdown_report(const GateInput& in, const GateResult& result);
nlohmann::json json_report(const GateInput& in, const GateResult& result);

}  // namespace detgate

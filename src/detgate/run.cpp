#include "detgate/run.h"

#include <stdexcept>

#include <nlohmann/json.hpp>

namespace detgate {

double RowRun::ir_per_segment() const {
  if (!ir || segments == 0) return 0.0;
  return static_cast<double>(*ir) / static_cast<double>(segments);
}

Run make_run(const nlohmann::json& replay, const std::vector<CallgrindDump>& dumps) {
  if (replay.value("format", "") != "tunreplay/1") throw std::runtime_error("not a tunreplay/1 document");
  Run run;
  run.plant = replay.value("plant", "none");
  for (const auto& j : replay.at("rows")) {
    RowRun r;
    r.label = j.at("label").get<std::string>();
    r.mode = j.at("mode").get<std::string>();
    r.workload = j.at("workload").get<std::string>();
    r.ok = j.at("ok").get<bool>();
    r.segments = j.at("segments").get<std::uint64_t>();
    r.payload_bytes = j.at("payload_bytes").get<std::uint64_t>();
    r.reads = j.at("in").at("reads").get<std::uint64_t>();
    r.bytes_in = j.at("in").at("bytes_in").get<std::uint64_t>();
    r.writes = j.at("out").at("writes").get<std::uint64_t>();
    r.gso_writes = j.at("out").at("gso_writes").get<std::uint64_t>();
    r.bytes_out = j.at("out").at("bytes_out").get<std::uint64_t>();
    r.allocations = j.at("allocations").get<std::uint64_t>();
    r.socket_calls = j.value("socket_calls", std::uint64_t{0});
    run.rows[r.label] = r;
  }
  for (const CallgrindDump& d : dumps) {
    const auto it = run.rows.find(d.label);
    if (it == run.rows.end()) continue;  // the final dump at exit, or a row the JSON lacks
    it->second.ir = d.total("Ir");
    it->second.cycles = d.estimated_cycles();
    for (const auto& [fn, ir] : d.self_ir) run.self_ir[fn] += ir;
  }
  return run;
}

}  // namespace detgate

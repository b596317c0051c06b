// tunreplay: every tunfwd mode (via the registry, Forwarder::run as tunfwd runs it) over in-memory
// replay devices, on recorded and synthetic workloads, one row per mode × workload, with fixed
// iteration counts; and tunstack's engine (mode "tunstack": stack_row.h) over a fake TUN and fake
// kernel sockets, on its own upload and download workloads. Run under `valgrind --tool=callgrind
// --instr-atstart=no` it gives each row's instruction counts (the measured code's alone: see
// device_scope.h and measurement.h); on its own it still writes the device calls, segments and
// allocations. ci/det-gate.sh runs it; the method and
// its limits: docs/det-gate.md.
//
//   tunreplay --fixtures fixtures/offload [--json OUT] [--modes all|LIST] [--workloads all|LIST]
//             [--segments N] [--list]
//   --modes takes the registry's names and "tunstack"; --workloads the names of both kinds.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "forward/registry.h"
#include "measurement.h"
#include "replay_row.h"
#include "workload.h"
#ifdef TUNREPLAY_STACK
#include <string_view>

#include "stack_row.h"
#include "stack_workload.h"
static_assert(std::string_view(replay::kStackMode) == "tunstack", "known_mode() names the stack's mode");
#endif

namespace {

// The planted slowdown this build carries (CMake -DTUNBENCH_PLANT, test-only), so a report can
// say which side had one. Read from the compile definition, not from offload/plant.h: the gate
// builds this same driver against base trees that predate that header.
#ifdef TUNBENCH_PLANT_NAME
constexpr const char* kPlant = TUNBENCH_PLANT_NAME;
#else
constexpr const char* kPlant = "none";
#endif

std::set<std::string> parse_list(const std::string& list) {
  std::set<std::string> out;
  std::stringstream ss(list);
  for (std::string item; std::getline(ss, item, ',');)
    if (!item.empty()) out.insert(item);
  return out;
}

nlohmann::json counts_json(const replay::DeviceCounts& c) {
  return {{"reads", c.reads},           {"read_packets", c.read_packets},
          {"writes", c.writes},         {"write_packets", c.write_packets},
          {"gso_writes", c.gso_writes}, {"bytes_in", c.bytes_in},
          {"bytes_out", c.bytes_out}};
}

// A registry mode, or "tunstack" (replay::kStackMode), which a build without the stack (a gate base
// older than src/stack) accepts with no rows: the gate then reports head's stack rows as new.
bool known_mode(const std::string& name) { return name == "tunstack" || forward::find_mode(name) != nullptr; }

double per_kseg(std::uint64_t v, std::uint64_t segments) {
  return segments == 0 ? 0.0 : 1000.0 * static_cast<double>(v) / static_cast<double>(segments);
}

nlohmann::json row_json(const replay::RowResult& r) {
  nlohmann::json j = {{"label", r.mode + "/" + r.workload},
                      {"mode", r.mode},
                      {"workload", r.workload},
                      {"ok", r.ok},
                      {"segments", r.segments},
                      {"payload_bytes", r.payload_bytes},
                      {"in", counts_json(r.in)},
                      {"out", counts_json(r.out)},
                      {"allocations", r.allocations},
                      {"socket_calls", r.socket_calls}};
  // Per 1000 segments: the device calls that stand for system calls on a real TUN.
  j["per_1000_segments"] = {{"reads", per_kseg(r.in.reads, r.segments)},
                            {"writes", per_kseg(r.out.writes, r.segments)},
                            {"gso_writes", per_kseg(r.out.gso_writes, r.segments)},
                            {"allocations", per_kseg(r.allocations, r.segments)},
                            {"socket_calls", per_kseg(r.socket_calls, r.segments)}};
  j["bytes_copied_per_segment"] = {
      {"device_in", r.segments ? static_cast<double>(r.in.bytes_in) / static_cast<double>(r.segments) : 0.0},
      {"device_out", r.segments ? static_cast<double>(r.out.bytes_out) / static_cast<double>(r.segments) : 0.0}};
  if (!r.ok) j["error"] = r.error;
  return j;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"tunreplay: tunfwd modes over replay devices, for instruction counting (docs/det-gate.md)"};
  std::string fixtures;
  std::string json_path;
  std::string modes_arg = "all";
  std::string workloads_arg = "all";
  std::size_t segments = 1500;
  bool list = false;
  app.add_option("--fixtures", fixtures, "folder with the captured pcaps (fixtures/offload)")->required();
  app.add_option("--json", json_path, "write the rows here (format tunreplay/1)");
  app.add_option("--modes", modes_arg, "all or a comma-separated list");
  app.add_option("--workloads", workloads_arg, "all or a comma-separated list");
  app.add_option("--segments", segments, "segments per row (each workload is replayed a whole number of times)");
  app.add_flag("--list", list, "print the workloads and modes, run nothing");
  CLI11_PARSE(app, argc, argv);

  std::vector<replay::Workload> workloads;
#ifdef TUNREPLAY_STACK
  std::vector<replay::StackWorkload> stack_workloads;
#endif
  try {
    workloads = replay::all_workloads(fixtures, segments);
#ifdef TUNREPLAY_STACK
    stack_workloads = replay::stack_workloads(segments);
#endif
  } catch (const std::exception& e) {
    std::cerr << "tunreplay: " << e.what() << "\n";
    return 2;
  }
  const std::set<std::string> want_modes = modes_arg == "all" ? std::set<std::string>{} : parse_list(modes_arg);
  const std::set<std::string> want_workloads =
      workloads_arg == "all" ? std::set<std::string>{} : parse_list(workloads_arg);
#ifdef TUNREPLAY_STACK
  const bool want_stack = want_modes.empty() || want_modes.count(replay::kStackMode) != 0;
#endif
  for (const auto& m : want_modes)
    if (!known_mode(m)) {
      std::cerr << "tunreplay: unknown mode " << m << "\n";
      return 2;
    }
  if (list) {
    for (const auto& w : workloads)
      std::cout << "workload " << w.name << " reads=" << w.offload_reads.size() << " repeat=" << w.repeat
                << " batch=" << w.batch << " direction=" << w.direction << "\n";
    for (const auto& m : forward::modes()) std::cout << "mode " << m.name << "\n";
#ifdef TUNREPLAY_STACK
    for (const auto& w : stack_workloads)
      std::cout << "stack workload " << w.name << " packets=" << w.packets << " segments=" << w.segments()
                << " batch=" << w.batch << "\n";
    std::cout << "mode " << replay::kStackMode << " (stack workloads only)\n";
#endif
    return 0;
  }

  nlohmann::json rows = nlohmann::json::array();
  int failed = 0;
  for (const forward::Mode& mode : forward::modes()) {
    if (!want_modes.empty() && !want_modes.count(std::string(mode.name))) continue;
    bool warm = false;
    for (const replay::Workload& w : workloads) {
      if (!want_workloads.empty() && !want_workloads.count(w.name)) continue;
      // Each mode's first run pays one-off costs (Asio's services, first touches of static state):
      // an unmeasured run of its first workload takes them, so every measured row is steady state.
      if (!warm) {
        (void)replay::run_row(mode, w, false);
        warm = true;
      }
      const replay::RowResult r = replay::run_row(mode, w);
      if (!r.ok) {
        ++failed;
        std::cerr << "tunreplay: " << r.mode << "/" << r.workload << ": " << r.error << "\n";
      }
      rows.push_back(row_json(r));
    }
  }
#ifdef TUNREPLAY_STACK
  // tunstack's engine: one unmeasured row first, as for every mode.
  bool stack_warm = false;
  for (const replay::StackWorkload& w : stack_workloads) {
    if (!want_stack || (!want_workloads.empty() && !want_workloads.count(w.name))) continue;
    if (!stack_warm) {
      (void)replay::run_stack_row(w, false);
      stack_warm = true;
    }
    const replay::RowResult r = replay::run_stack_row(w);
    if (!r.ok) {
      ++failed;
      std::cerr << "tunreplay: " << r.mode << "/" << r.workload << ": " << r.error << "\n";
    }
    rows.push_back(row_json(r));
  }
#endif
  const nlohmann::json doc = {
      {"format", "tunreplay/1"}, {"plant", kPlant}, {"under_valgrind", replay::under_valgrind()}, {"rows", rows}};
  if (json_path.empty()) {
    std::cout << doc.dump(1) << "\n";
  } else {
    std::ofstream out(json_path);
    out << doc.dump(1) << "\n";
    if (!out) {
      std::cerr << "tunreplay: cannot write " << json_path << "\n";
      return 2;
    }
  }
  return failed == 0 ? 0 : 1;
}

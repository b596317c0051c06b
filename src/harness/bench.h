#pragma once
// Runs every row `repeat` times, interleaved round-robin (pass 1 of every row, then pass 2...)
// so that slow drifts of the machine spread evenly over the rows, and by default with the compared
// rows rotated from pass to pass (pass_order.h) so that no row always has the same place. Each sample gets fresh
// namespaces; a failing sample is recorded with its error and the run goes on.
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "harness/iperf.h"
#include "harness/pass_order.h"
#include "harness/result.h"
#include "harness/sut.h"
#include "harness/thresholds.h"
#include "harness/topology.h"

namespace harness {

class RunState;

struct RowSpec {
  std::string label;
  SutSpec sut;
  nlohmann::json traits = nlohmann::json::object();  // see RowResult::traits
  bool reverse = false;                              // iperf3 -R: the server sends ("down")
};

struct BenchOptions {
  IperfOptions iperf;
  int repeat = 1;
  bool profile = false;     // perf record of the sampled processes, per sample
  bool quiet_wait = false;  // before each sample, wait (bounded) for a quiet machine
  RowOrder row_order = RowOrder::kRotate;
  std::chrono::seconds quiet_wait_limit{60};
  Thresholds thresholds;
  std::chrono::milliseconds device_timeout{10000};  // for each process to be ready
  std::map<std::string, std::string> placeholders;  // extra {name} values for SUT commands ({mtu})
  std::filesystem::path log_dir;
};

struct BenchEvents {
  std::function<void(const RowSpec&, int pass, int seconds_left)> progress;
  std::function<void(const RowSpec&, const Sample&)> sample_done;
  std::function<void(const std::string&)> note;
  // --profile: a sample's perf.data, once perf has written it (without a handler: a note saying where it is).
  std::function<void(const RowSpec&, int pass, const std::filesystem::path& perf_data)> profiled;
};

class Bench {
 public:
  Bench(std::vector<RowSpec> rows, BenchOptions options, RunState* state, BenchEvents events = {});
  // Throws Interrupted on SIGINT/SIGTERM (after everything of the current sample is torn down).
  RunResult run();

 private:
  Sample measure(const RowSpec& row, int pass);
  void wait_for_quiet();
  // Throws when the guarded device's counters show less than the share of iperf3's bytes.
  static void check_guard(const TrafficGuard& guard, const Topology::DeviceBytes& before, const Topology& topology,
                          const IperfResult& iperf);
  std::string trust(const MonitorSummary& monitor) const;

  std::vector<RowSpec> rows_;
  BenchOptions options_;
  RunState* state_;
  BenchEvents events_;
  int topology_count_ = 0;
};

}  // namespace harness

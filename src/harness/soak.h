#pragma once
// `tunbench soak`: one long iperf3 transfer through a system under test, on the same topology
// and monitor as `tunbench run`, with its memory sampled once a second. It passes when
//   - RSS at the end is within max_rss_growth_percent of RSS at the reference point (minute 1,
//     or half-way through a run shorter than two minutes): no growth under steady load;
//   - iperf3 completed;
//   - the system stopped cleanly (exit status 0 after SIGINT);
//   - when it writes counters (tunfwd-stats/1): both directions present, drops 0, and every
//     packet read was written or dropped (packets == written + dropped).
#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/forwarder_stats.h"
#include "harness/iperf.h"
#include "harness/monitor.h"
#include "harness/sut.h"

namespace harness {

class RunState;

struct SoakOptions {
  int duration_s = 600;
  double max_rss_growth_percent = 1.0;
  std::chrono::milliseconds ready_timeout{10000};
  IperfOptions iperf;  // its duration is duration_s
};

struct SoakCheck {
  bool ok = false;
  std::string what;
};

struct SoakReport {
  std::vector<SoakCheck> checks;
  std::vector<std::string> info;
  nlohmann::json figures = nlohmann::json::object();  // what `--json` writes

  bool ok() const;
  // "ok   …" / "FAIL …" / "info …" lines, as the soak prints them.
  std::string text() const;
};

// When the RSS reference is taken: minute 1, or half-way through a run shorter than two minutes.
int soak_reference_second(int duration_s);

// What the soak measured, judged: pure, so it is unit-tested on made-up series.
// `rss_kb_by_second[i]`: RSS of the sampled processes i seconds after the transfer started.
SoakReport evaluate_soak(const std::vector<std::uint64_t>& rss_kb_by_second, int reference_second,
                         double max_growth_percent, const std::optional<IperfResult>& iperf,
                         const std::string& iperf_error, int exit_status, const std::string& stats_format,
                         const std::optional<ForwarderStats>& stats, const MonitorSummary& monitor);

// Brings `sut` up, runs the transfer, stops the system and judges. `tick(seconds_left)` about
// once a second. Throws when the system cannot be brought up (with its stderr) or on Interrupted.
SoakReport run_soak(const SutSpec& sut, const SoakOptions& options, const std::string& name_suffix,
                    const std::filesystem::path& log_dir, RunState* state, const std::function<void(int)>& tick = {});

}  // namespace harness

#pragma once
// Calibration: a run of a known-good build on one machine turned into that machine's thresholds
// profile (tunbench-thresholds/1), the floors and ceilings taken from the spread of its passes.
// Used by `tunbench calibrate`; the rules are documented in tests/perf/README.md.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/result.h"

namespace harness {

struct CalibrationRules {
  // min_ratio = floor_margin × the lowest ratio to veth of any trusted pass. The lowest pass, not
  // the median, so a floor covers the spread this machine showed; the margin for what one session
  // of passes does not show (another day, another neighbour on the host).
  double floor_margin = 0.9;
  // A row needs this many trusted successful samples: a minimum over fewer is no spread.
  int min_samples = 3;
  double cpu_factor = 1.3;  // max_cpu_avg = cpu_factor × the largest CPU average
  double mem_factor = 1.5;  // max_mem_max_mb = mem_factor × the largest peak RSS + mem_slack_mb
  double mem_slack_mb = 2;
  // Offload rows only (a per-packet row's retransmissions depend on the kernel's queues, not on us):
  // max_retransmits = max(retransmit_floor, retransmit_factor × the largest count).
  double retransmit_factor = 3;
  double retransmit_floor = 100;
};

// margin × the smallest sample, rounded down to 3 decimals so the floor never lies above it.
// Throws std::invalid_argument on no samples.
double floor_from_samples(const std::vector<double>& samples, double margin);
// factor × the largest sample + slack, rounded up to `decimals` so the ceiling never lies below it.
// Throws std::invalid_argument on no samples.
double ceiling_from_samples(const std::vector<double>& samples, double factor, double slack, int decimals);

struct Calibration {
  nlohmann::json rows = nlohmann::json::object();  // the profile's "rows", keyed by row label
  std::vector<std::string> left_out;               // rows of other implementations (tun-rs, pasta...): not ours to gate
  std::vector<std::string> problems;               // rows without enough trusted samples; no profile should be written
  int untrusted_samples = 0;  // samples flagged untrusted (a busy machine), left out of every figure
  bool ok() const { return problems.empty() && !rows.empty(); }
};

// The limits of every row of ours (implementation "tunbench") and of the kernel baselines but
// the veth pair itself (the ratios' denominator), from its trusted successful samples.
Calibration calibrate_rows(const RunResult& run, const CalibrationRules& rules = {});

// What the profile records about how it was made.
struct CalibrationSource {
  std::string command;  // what measured the run (or "derived from FILE")
  std::string commit;   // the source tree's commit ("+dirty" when it had changes), or "" when unknown
  std::string date;     // UTC, ISO 8601
};

// The whole profile: cpu_model_match = the exact CPU model the run recorded (so it is chosen on
// this machine and no other), not the fallback, ratios to veth, the machine, the rules and the
// source in "measured". Throws std::invalid_argument when the run recorded no CPU model.
nlohmann::json calibrated_profile(const Calibration& calibration, const RunResult& run, const CalibrationRules& rules,
                                  const CalibrationSource& source);

}  // namespace harness

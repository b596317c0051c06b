#pragma once
// Two kinds of thresholds live here.
//  - Thresholds: when a sample is not trusted: other work on the machine or the hypervisor took
//    CPU from the benchmark while it ran, so its throughput says more about the neighbours than
//    the forwarder.
//  - PerfProfile: what a machine must reach, row by row (fixtures/thresholds/*.json, used by the
//    `perf` tests): a floor on throughput (absolute and/or as a ratio to a kernel baseline of the
//    same pass) and ceilings on CPU, memory and retransmissions, compared with the median over
//    the repeats of a run.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/result.h"

namespace harness {

struct Thresholds {
  double max_others_cpu = 15.0;    // % of one core used by unrelated processes
  double max_steal_percent = 5.0;  // % of all CPU time stolen by the hypervisor
};

// One row of a profile; an absent limit is not checked.
struct RowThresholds {
  std::string label;  // the row label of the run: a tunfwd mode name, "kernel veth", "kernel loopback"
  std::optional<double> min_gbps;
  std::optional<double> min_ratio;  // gbps ÷ the profile's ratio_to baseline of the same pass
  std::optional<double> max_retransmits;
  std::optional<double> max_cpu_avg;     // % of one core, the forwarder's average
  std::optional<double> max_mem_max_mb;  // the forwarder's peak RSS
  std::optional<double> max_cpu_per_gbps;
};

struct PerfProfile {
  std::string name;  // file stem
  std::filesystem::path path;
  std::string description;
  std::vector<std::string> cpu_model_match;  // substrings of /proc/cpuinfo "model name"
  bool fallback = false;                     // what TUNBENCH_PROFILE=fallback selects (ratios only elsewhere)
  std::string ratio_to = "veth";             // baseline row kind of min_ratio: "veth" or "loopback"
  std::vector<RowThresholds> rows;

  const RowThresholds* find(const std::string& label) const;
  bool matches_cpu(const std::string& cpu_model) const;
};

PerfProfile parse_profile(const nlohmann::json& j, const std::string& name = "");
PerfProfile load_profile(const std::filesystem::path& path);               // throws with the file name
std::vector<PerfProfile> load_profiles(const std::filesystem::path& dir);  // every *.json, by name; none if no dir

// Where a machine's own profiles live: `dir`/local (written by `tunbench calibrate`, git-ignored),
// searched before the committed profiles of `dir`.
std::filesystem::path local_profile_dir(const std::filesystem::path& dir);

// How the profile for this run was chosen, for the report.
struct ProfileChoice {
  PerfProfile profile;
  std::string reason;
  bool ratios_only = false;  // the fallback profile, asked for on a machine it was not measured on
};
// The rules, in order (each a unit test in tests/unit/harness/thresholds_test.cpp):
//  1. `requested` "fallback": the committed profile marked fallback, ratios only unless its
//     cpu_model_match matches `cpu_model` (throws when no profile is marked fallback);
//  2. any other `requested` (env TUNBENCH_PROFILE): a path, or a file name / stem in `dir`/local
//     or `dir` (throws naming it when there is no such file);
//  3. the first profile of `dir`/local whose cpu_model_match matches `cpu_model`, then the first
//     of `dir`: a machine's calibrated profile wins over a committed one for the same CPU;
//  4. else nullopt: no profile for this machine. The perf tests are then skipped, not judged
//     against another machine's floors (ratios to veth do not carry between CPUs).
std::optional<ProfileChoice> choose_profile(const std::filesystem::path& dir, const std::string& requested,
                                            const std::string& cpu_model);
// What to tell the user when choose_profile found nothing: which CPU, where it looked, what to run.
std::string no_profile_message(const std::filesystem::path& dir, const std::string& cpu_model);

struct CheckOptions {
  bool ratios_only = false;      // skip absolute Gbps, CPU, memory and retransmission limits
  bool require_all_rows = true;  // a profile row missing from the run is a failure
};

struct CheckLine {
  std::string label;
  std::string metric;
  double measured = 0;  // median over the row's successful samples
  double limit = 0;
  bool minimum = true;  // limit is a floor (else a ceiling)
  bool ok = true;
  std::string note;  // e.g. "row missing", "no successful sample"
};

struct CheckResult {
  std::vector<CheckLine> lines;
  std::vector<std::string> unchecked_rows;  // run rows the profile does not mention
  bool ok() const;
  std::string failures() const;  // one line per failing check: label, metric, measured vs limit
  std::string table() const;     // every check, markdown
};

CheckResult check_profile(const RunResult& run, const PerfProfile& profile, const CheckOptions& options = {});

}  // namespace harness

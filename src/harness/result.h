#pragma once
// What a run measured: every raw sample of every row, kept so reports and later comparisons can
// recompute any statistic. Serialised as JSON (the format `tunbench compare` reads back).
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/iperf_result.h"
#include "harness/monitor.h"

namespace harness {

// The kinds of the kernel baselines tunbench ships (suts.h), which reports and profiles name.
inline constexpr const char* kKernelVeth = "kernel-veth";
inline constexpr const char* kKernelLoopback = "kernel-loopback";

// The NOLINT: the implicit default constructor is noexcept and calls only noexcept constructors.
// clang-tidy 14 follows nlohmann::json's noexcept default constructor into basic_json(value_t),
// whose throw cannot happen for value_t::null (a false positive; the same holds for RunResult).
struct Sample {  // NOLINT(bugprone-exception-escape): false positive through nlohmann::json(), see above
  int pass = 0;  // round-robin pass index: samples with the same pass ran back to back
  bool ok = false;
  std::string error;
  IperfResult iperf;
  MonitorSummary monitor;
  double ratio = 0;       // gbps ÷ the compare_with row's sample of the same pass; 0 when there is none
  std::string untrusted;  // why the machine was not quiet enough (empty = trusted)
  nlohmann::json stats;   // the counters the system under test wrote (e.g. tunfwd-stats/1), or null
};

struct RowResult {
  std::string label;
  std::string kind;                        // SutSpec::kind: "forwarder", "kernel-veth", …
  std::string compare_with = kKernelVeth;  // the kind whose sample of the same pass divides this one
  // SutSpec::implementation and ::mode: who made what this row measures ("tunbench", "kernel",
  // "tun-rs", …) and the mode of ours it mirrors ("" = none). Run files written before these
  // fields get them from the kind, traits and label (see from_json).
  std::string implementation;
  std::string mode;
  // "up": the client sends (iperf3's default); "down": the server sends (-R). A row is divided by
  // its baseline measured in the same direction.
  std::string direction = "up";
  bool sampled = false;  // CPU and memory of its processes were sampled
  std::string command;   // the command(s) of the system under test, empty for baselines
  // What is known about the implementation: for tunfwd modes, the registry's facts as `tunfwd
  // --list --json` prints them ("offload", "channel", "reference_row", …); an empty object for
  // other rows.
  nlohmann::json traits = nlohmann::json::object();
  std::vector<Sample> samples;

  bool has_forwarder() const { return sampled; }
  // A boolean trait as "yes"/"no", or "" when unknown.
  std::string trait_yes_no(const char* name) const;
  std::vector<const Sample*> ok_samples() const;
  // Per-sample figures of the successful samples.
  std::vector<double> gbps() const;
  std::vector<double> ratios() const;  // only samples that have a veth partner
  std::vector<double> retransmits() const;
  std::vector<double> cpu_avg() const;
  std::vector<double> cpu_max() const;
  std::vector<double> mem_avg() const;
  std::vector<double> mem_max() const;
  std::vector<double> cpu_per_gbps() const;
  // The whole machine's CPU (MonitorSummary::machine_cpu), of the samples that have it: runs saved
  // before it was sampled have none, and a baseline row has it as much as any other.
  std::vector<double> machine_cpu() const;
  std::vector<double> machine_cpu_per_gbps() const;
};

struct RunResult {          // NOLINT(bugprone-exception-escape): false positive through nlohmann::json(), see Sample
  nlohmann::json machine;   // see describe_machine()
  nlohmann::json settings;  // duration, repeat, parallel, udp, reverse...
  std::vector<RowResult> rows;

  const RowResult* find(const std::string& label) const;
  // The first row of this kind measured in `direction`, or nullptr.
  const RowResult* find_kind(const std::string& kind, const std::string& direction = "up") const;
  // Fills Sample::ratio from the compare_with row of the same pass and direction.
  void compute_ratios();
};

void to_json(nlohmann::json& j, const Sample& s);
void from_json(const nlohmann::json& j, Sample& s);
void to_json(nlohmann::json& j, const RowResult& r);
void from_json(const nlohmann::json& j, RowResult& r);
void to_json(nlohmann::json& j, const RunResult& r);
void from_json(const nlohmann::json& j, RunResult& r);

}  // namespace harness

#pragma once
// What a run measured: every raw sample of every row, kept so reports and later comparisons can
// recompute any statistic. Serialised as JSON (the format `tunbench compare` reads back).
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/iperf_result.h"
#include "harness/monitor.h"

namespace harness {

// Kinds of rows: our tunfwd modes, another project's forwarder, or a kernel baseline.
enum class RowKind { tunfwd, forwarder, veth, loopback };
std::string to_string(RowKind kind);
RowKind row_kind_from_string(const std::string& text);

struct Sample {
  int pass = 0;  // round-robin pass index: samples with the same pass ran back to back
  bool ok = false;
  std::string error;
  IperfResult iperf;
  MonitorSummary monitor;
  double ratio = 0;          // gbps ÷ the veth sample of the same pass; 0 when there is none
  std::string untrusted;     // why the machine was not quiet enough (empty = trusted)
};

struct RowResult {
  std::string label;
  RowKind kind = RowKind::tunfwd;
  std::string command;  // forwarder command line, empty for baselines
  std::string offload;  // "yes", "no" or "" (unknown)
  std::string channel;
  std::vector<Sample> samples;

  bool has_forwarder() const { return kind == RowKind::tunfwd || kind == RowKind::forwarder; }
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
};

struct RunResult {
  nlohmann::json machine;   // see describe_machine()
  nlohmann::json settings;  // duration, repeat, parallel, udp, reverse...
  std::vector<RowResult> rows;

  const RowResult* find(const std::string& label) const;
  // Fills Sample::ratio from the veth row of the same pass.
  void compute_ratios();
};

// Mode names carry their shape: "gso" = offload, "channel"/"framed" = a queue between tasks.
void classify_mode(const std::string& mode, RowResult& row);

void to_json(nlohmann::json& j, const Sample& s);
void from_json(const nlohmann::json& j, Sample& s);
void to_json(nlohmann::json& j, const RowResult& r);
void from_json(const nlohmann::json& j, RowResult& r);
void to_json(nlohmann::json& j, const RunResult& r);
void from_json(const nlohmann::json& j, RunResult& r);

}  // namespace harness

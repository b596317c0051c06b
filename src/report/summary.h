#pragma once
// One line of the summary table: the medians (and spread) of a row's successful samples.
#include <optional>
#include <string>

#include "harness/result.h"

namespace report {

struct RowSummary {
  std::string label;
  std::string offload;  // "yes"/"no"/"–"
  std::string channel;
  std::size_t ok = 0, total = 0;
  double gbps = 0, gbps_min = 0, gbps_max = 0;
  std::optional<double> ratio;         // median of per-pass ratios to veth
  std::optional<double> loss_percent;  // UDP
  double retransmits = 0;
  bool forwarder = false;  // CPU/memory columns only mean something for a forwarder
  double cpu_avg = 0, cpu_max = 0, mem_avg = 0, mem_max = 0;
  std::optional<double> cpu_per_gbps;
  // Every row, baselines included; empty for runs saved before the machine's CPU was sampled.
  std::optional<double> machine_cpu, machine_cpu_per_gbps;
  std::size_t untrusted = 0;
  std::string first_error;
};

RowSummary summarize(const harness::RowResult& row);

// "12.3", "1.23", "0.123": three significant digits, like the reference table; "–" for NaN.
std::string number(double value);

}  // namespace report

#include "harness/calibrate.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "harness/statistics.h"

namespace harness {

namespace {

// Exact decimal rounding for the JSON (0.551, not 0.55100000000000005) in the safe direction.
// The small epsilon keeps a value that is already on the grid (0.55 × 1000 = 550.0000000001)
// from moving a step.
double round_down(double value, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::floor(value * scale + 1e-6) / scale;
}
double round_up(double value, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::ceil(value * scale - 1e-6) / scale;
}
double round_to(double value, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::round(value * scale) / scale;
}

bool offload_row(const RowResult& row) {
  if (row.traits.contains("offload") && row.traits.at("offload").is_boolean())
    return row.traits.at("offload").get<bool>();
  // Run files older than the registry's traits: the mode names say it.
  return row.label.find("gso") != std::string::npos || row.label.find("passthrough") != std::string::npos;
}

}  // namespace

double floor_from_samples(const std::vector<double>& samples, double margin) {
  if (samples.empty()) throw std::invalid_argument("no samples to derive a floor from");
  return round_down(margin * minimum(samples), 3);
}

double ceiling_from_samples(const std::vector<double>& samples, double factor, double slack, int decimals) {
  if (samples.empty()) throw std::invalid_argument("no samples to derive a ceiling from");
  return round_up(factor * maximum(samples) + slack, decimals);
}

Calibration calibrate_rows(const RunResult& run, const CalibrationRules& rules) {
  Calibration c;
  for (const auto& row : run.rows) {
    if (row.kind == kKernelVeth) continue;  // the denominator: its ratio is 1 by definition
    if (row.implementation != "tunbench" && row.implementation != "kernel") {
      c.left_out.push_back(row.label);
      continue;
    }
    std::vector<const Sample*> trusted;
    for (const Sample* s : row.ok_samples()) {
      if (s->untrusted.empty())
        trusted.push_back(s);
      else
        ++c.untrusted_samples;
    }
    std::vector<double> ratios, gbps, cpu, mem, retransmits;
    for (const Sample* s : trusted) {
      // Sample::ratio is to the row's compare_with baseline; the profile's floors are to veth.
      if (s->ratio > 0 && row.compare_with == kKernelVeth) ratios.push_back(s->ratio);
      gbps.push_back(s->iperf.gbps);
      cpu.push_back(s->monitor.cpu_avg);
      mem.push_back(s->monitor.mem_max_mb);
      retransmits.push_back(static_cast<double>(s->iperf.retransmits));
    }
    const auto need = static_cast<std::size_t>(rules.min_samples);
    if (ratios.size() < need) {
      c.problems.push_back(fmt::format(
          "{}: {} trusted successful sample(s) with a veth partner of {} taken, {} needed for a floor from the "
          "spread (calibrate on a quiet machine, or with more --repeat)",
          row.label, ratios.size(), row.samples.size(), rules.min_samples));
      continue;
    }
    nlohmann::json r;
    r["min_ratio"] = floor_from_samples(ratios, rules.floor_margin);
    r["measured_min_ratio"] = round_to(minimum(ratios), 3);
    r["measured_median_ratio"] = round_to(median(ratios), 3);
    r["measured_max_ratio"] = round_to(maximum(ratios), 3);
    r["measured_median_gbps"] = round_to(median(gbps), 2);
    if (row.has_forwarder()) {
      r["max_cpu_avg"] = ceiling_from_samples(cpu, rules.cpu_factor, 0, 0);
      r["measured_median_cpu_avg"] = round_to(median(cpu), 1);
      r["max_mem_max_mb"] = ceiling_from_samples(mem, rules.mem_factor, rules.mem_slack_mb, 1);
      r["measured_median_mem_max_mb"] = round_to(median(mem), 1);
      if (offload_row(row)) {
        r["max_retransmits"] =
            std::max(rules.retransmit_floor, ceiling_from_samples(retransmits, rules.retransmit_factor, 0, 0));
        r["measured_median_retransmits"] = median(retransmits);
      }
    }
    c.rows[row.label] = r;
  }
  return c;
}

nlohmann::json calibrated_profile(const Calibration& calibration, const RunResult& run, const CalibrationRules& rules,
                                  const CalibrationSource& source) {
  const std::string cpu = run.machine.value("cpu_model", "");
  if (cpu.empty())
    throw std::invalid_argument("the run recorded no CPU model (machine.cpu_model): the profile could not be matched");
  const std::string host = run.machine.value("hostname", "this machine");
  const int repeat = run.settings.value("repeat", 0);
  const std::string description = fmt::format(
      "Calibrated on {} ({}, {} cores, {}) by tunbench calibrate, {} interleaved passes x {} s. min_ratio = {} x "
      "the lowest ratio to veth of any trusted pass; max_cpu_avg = {} x the largest CPU average; max_mem_max_mb = {} "
      "x the largest peak RSS + {} MB; offload rows: max_retransmits = max({}, {} x the largest count). Re-run "
      "tunbench calibrate when tunfwd gets faster, so the floors follow.",
      host, cpu, run.machine.value("cores", 0), run.machine.value("kernel", "unknown kernel"), repeat,
      run.settings.value("duration_s", 0), rules.floor_margin, rules.cpu_factor, rules.mem_factor, rules.mem_slack_mb,
      rules.retransmit_floor, rules.retransmit_factor);
  return {{"format", "tunbench-thresholds/1"},
          {"description", description},
          {"cpu_model_match", {cpu}},
          {"fallback", false},
          {"ratio_to", "veth"},
          {"measured",
           {{"command", source.command},
            {"commit", source.commit.empty() ? nlohmann::json(nullptr) : nlohmann::json(source.commit)},
            {"date", source.date},
            {"machine", run.machine},
            {"settings", run.settings},
            {"untrusted_samples_left_out", calibration.untrusted_samples},
            {"rules",
             {{"floor_margin", rules.floor_margin},
              {"min_samples", rules.min_samples},
              {"cpu_factor", rules.cpu_factor},
              {"mem_factor", rules.mem_factor},
              {"mem_slack_mb", rules.mem_slack_mb},
              {"retransmit_factor", rules.retransmit_factor},
              {"retransmit_floor", rules.retransmit_floor}}}}},
          {"rows", calibration.rows}};
}

}  // namespace harness

#include "harness/gate.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

#include <fmt/format.h>

namespace harness {

std::string to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::unchanged: return "unchanged";
    case Verdict::improved: return "improved";
    case Verdict::regressed: return "REGRESSED";
    case Verdict::inconclusive: return "inconclusive";
  }
  return "?";
}

bool Comparison::regression() const {
  for (const auto& row : rows)
    for (const auto& m : row.metrics)
      if (m.verdict == Verdict::regressed) return true;
  return false;
}

namespace {

// Regressed or improved only when significant (p below alpha and the interval excludes 1) and
// beyond the tolerance; otherwise unchanged.
void judge(MetricComparison& c, const GateOptions& options) {
  const bool significant =
      c.p_value() < options.alpha && !(c.ratio_interval.low <= 1.0 && 1.0 <= c.ratio_interval.high);
  const bool beyond = std::abs(c.change_percent) > c.tolerance_percent;
  const bool worse = c.higher_is_better ? c.change_percent < 0 : c.change_percent > 0;
  if (significant && beyond)
    c.verdict = worse ? Verdict::regressed : Verdict::improved;
  else
    c.verdict = Verdict::unchanged;
}

using SampleValue = double (*)(const Sample&);  // <= 0: the sample has no value for the metric
using RowValues = std::vector<double> (RowResult::*)() const;

double sample_ratio(const Sample& s) { return s.ratio; }
double sample_gbps(const Sample& s) { return s.iperf.gbps; }
double sample_cpu_per_gbps(const Sample& s) { return s.iperf.gbps > 0 ? s.monitor.cpu_avg / s.iperf.gbps : 0; }
double sample_mem_max(const Sample& s) { return s.monitor.mem_max_mb; }

// One metric of two rows: paired by pass when asked, else the two rows' samples as they are.
MetricComparison compare_rows(const std::string& metric, const RowResult& base, const RowResult& head, RowValues all,
                              SampleValue value, bool higher_is_better, const GateOptions& options) {
  if (!options.paired) return compare_metric(metric, (base.*all)(), (head.*all)(), higher_is_better, options);
  std::map<int, double> base_by_pass;
  for (const Sample* s : base.ok_samples())
    if (value(*s) > 0) base_by_pass[s->pass] = value(*s);
  std::vector<double> b, h;
  for (const Sample* s : head.ok_samples())
    if (const auto it = base_by_pass.find(s->pass); it != base_by_pass.end() && value(*s) > 0) {
      b.push_back(it->second);
      h.push_back(value(*s));
    }
  return compare_paired_metric(metric, b, h, higher_is_better, options);
}

}  // namespace

MetricComparison compare_metric(const std::string& metric, const std::vector<double>& base,
                                const std::vector<double>& head, bool higher_is_better, const GateOptions& options) {
  MetricComparison c;
  c.metric = metric;
  c.higher_is_better = higher_is_better;
  c.base_n = base.size();
  c.head_n = head.size();
  c.base_median = median(base);
  c.head_median = median(head);
  if (base.empty() || head.empty() || c.base_median == 0) {
    c.note = "no data";
    return c;
  }
  c.change_percent = (c.head_median / c.base_median - 1.0) * 100.0;
  // Noise-aware: a spread wider than the tolerance within one side makes smaller moves meaningless.
  c.tolerance_percent = std::max({options.tolerance_percent, 100.0 * relative_mad(base), 100.0 * relative_mad(head)});
  if (base.size() < options.min_samples || head.size() < options.min_samples) {
    c.note = fmt::format("needs ≥ {} samples per side", options.min_samples);
    return c;
  }
  c.test = mann_whitney_u(head, base);
  c.ratio_interval = bootstrap_median_ratio(base, head);
  judge(c, options);
  return c;
}

MetricComparison compare_paired_metric(const std::string& metric, const std::vector<double>& base,
                                       const std::vector<double>& head, bool higher_is_better,
                                       const GateOptions& options) {
  if (base.size() != head.size()) throw std::invalid_argument("compare_paired_metric: base and head differ in length");
  MetricComparison c;
  c.metric = metric;
  c.higher_is_better = higher_is_better;
  c.paired = true;
  c.base_median = median(base);
  c.head_median = median(head);
  std::vector<double> ratios, log_ratios;
  for (std::size_t i = 0; i < base.size(); ++i)
    if (base[i] > 0 && head[i] > 0) {
      ratios.push_back(head[i] / base[i]);
      log_ratios.push_back(std::log(head[i] / base[i]));
    }
  c.base_n = c.head_n = ratios.size();
  if (ratios.empty()) {
    c.note = "no pass with both sides";
    return c;
  }
  c.change_percent = (median(ratios) - 1.0) * 100.0;
  // Noise-aware like the unpaired test, but widened only to the spread of the per-pass ratios:
  // what the two sides of a pass share (machine drift) cancels in the ratio; what is left is the
  // rows' own noise, e.g. a mode whose samples fall 20-30 % low now and then (async-normal),
  // whose median over a few passes would otherwise cross the tolerance by chance.
  c.tolerance_percent = std::max(options.tolerance_percent, 100.0 * relative_mad(ratios));
  if (ratios.size() < options.min_pairs) {
    c.note = fmt::format("needs ≥ {} passes with both sides", options.min_pairs);
    return c;
  }
  c.paired_test = wilcoxon_signed_rank(log_ratios);
  c.ratio_interval = bootstrap_median(ratios);
  judge(c, options);
  return c;
}

std::string unpairable(const RunResult& base, const RunResult& head) {
  const RowResult* b = base.find_kind(kKernelVeth);
  const RowResult* h = head.find_kind(kKernelVeth);
  if (!b || !h) return "pairing needs the kernel veth row in both files";
  auto passes = [](const RowResult& row) {
    std::vector<std::pair<int, double>> v;
    for (const auto& s : row.samples) v.emplace_back(s.pass, s.iperf.gbps);
    return v;
  };
  if (passes(*b) != passes(*h))
    return "the veth samples differ: the files are not two sides of one run (ci/perf-gate.sh, gate_split)";
  return "";
}

Comparison compare_runs(const RunResult& base, const RunResult& head, const GateOptions& options) {
  Comparison comparison;
  for (const auto& head_row : head.rows) {
    RowComparison row;
    row.label = head_row.label;
    const RowResult* base_row = base.find(head_row.label);
    if (!base_row) {
      row.missing = "only in head";
      comparison.rows.push_back(std::move(row));
      continue;
    }
    if (head_row.kind != kKernelVeth) {
      // Normalised throughput when both runs have veth partners, raw Gbps otherwise.
      const bool normalised = !base_row->ratios().empty() && !head_row.ratios().empty();
      row.metrics.push_back(
          normalised
              ? compare_rows("throughput ÷ veth", *base_row, head_row, &RowResult::ratios, sample_ratio, true, options)
              : compare_rows("Gbps", *base_row, head_row, &RowResult::gbps, sample_gbps, true, options));
    } else {
      row.metrics.push_back(compare_rows("Gbps", *base_row, head_row, &RowResult::gbps, sample_gbps, true, options));
    }
    if (head_row.has_forwarder()) {
      row.metrics.push_back(
          compare_rows("CPU/Gbps", *base_row, head_row, &RowResult::cpu_per_gbps, sample_cpu_per_gbps, false, options));
      row.metrics.push_back(
          compare_rows("Mem max MB", *base_row, head_row, &RowResult::mem_max, sample_mem_max, false, options));
    }
    comparison.rows.push_back(std::move(row));
  }
  for (const auto& base_row : base.rows)
    if (!head.find(base_row.label)) comparison.rows.push_back({base_row.label, {}, "only in base"});
  return comparison;
}

}  // namespace harness

#include "harness/gate.h"

#include <algorithm>
#include <cmath>

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
  const bool significant =
      c.test.p_value < options.alpha && !(c.ratio_interval.low <= 1.0 && 1.0 <= c.ratio_interval.high);
  const bool beyond = std::abs(c.change_percent) > c.tolerance_percent;
  const bool worse = higher_is_better ? c.change_percent < 0 : c.change_percent > 0;
  if (significant && beyond)
    c.verdict = worse ? Verdict::regressed : Verdict::improved;
  else
    c.verdict = Verdict::unchanged;
  return c;
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
          normalised ? compare_metric("throughput ÷ veth", base_row->ratios(), head_row.ratios(), true, options)
                     : compare_metric("Gbps", base_row->gbps(), head_row.gbps(), true, options));
    } else {
      row.metrics.push_back(compare_metric("Gbps", base_row->gbps(), head_row.gbps(), true, options));
    }
    if (head_row.has_forwarder()) {
      row.metrics.push_back(
          compare_metric("CPU/Gbps", base_row->cpu_per_gbps(), head_row.cpu_per_gbps(), false, options));
      row.metrics.push_back(compare_metric("Mem max MB", base_row->mem_max(), head_row.mem_max(), false, options));
    }
    comparison.rows.push_back(std::move(row));
  }
  for (const auto& base_row : base.rows)
    if (!head.find(base_row.label)) comparison.rows.push_back({base_row.label, {}, "only in base"});
  return comparison;
}

}  // namespace harness

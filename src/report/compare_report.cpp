#include "report/compare_report.h"

#include <cmath>

#include <fmt/format.h>

#include "report/summary.h"

namespace report {

std::string compare_markdown(const harness::Comparison& comparison, const harness::RunResult& base,
                             const harness::RunResult& head, const harness::GateOptions& options) {
  std::string out =
      fmt::format("# tunbench compare: {}\n\n", comparison.regression() ? "REGRESSION" : "no significant regression");
  if (base.machine.value("cpu_model", "") != head.machine.value("cpu_model", "") ||
      base.machine.value("kernel", "") != head.machine.value("kernel", ""))
    out += "**Warning:** the two runs come from different machines or kernels; only ratios are comparable.\n\n";
  if (options.paired)
    out += fmt::format(
        "Paired by pass: each pass's head ÷ base is one observation. A change counts when the median per-pass "
        "ratio moves beyond the tolerance ({}%) and is significant: Wilcoxon signed-rank p < {} and the 95% "
        "bootstrap interval of the median per-pass ratio excludes 1. n counts the passes with both sides.\n\n",
        number(options.tolerance_percent), options.alpha);
  else
    out += fmt::format(
        "A change counts when it exceeds the tolerance ({}%, widened to the observed noise) and is "
        "significant: Mann-Whitney U p < {} and the 95% bootstrap interval of the median ratio excludes 1.\n\n",
        number(options.tolerance_percent), options.alpha);
  out +=
      "| Row | Metric | Base | Head | Change | Tolerance | p | 95% CI (head/base) | n | Verdict |\n"
      "|-----|--------|------|------|--------|-----------|---|--------------------|---|---------|\n";
  for (const auto& row : comparison.rows) {
    if (!row.missing.empty()) {
      out += fmt::format("| {} | | | | | | | | | {} |\n", row.label, row.missing);
      continue;
    }
    for (const auto& m : row.metrics) {
      const bool has_ci = !std::isnan(m.ratio_interval.low) && m.ratio_interval.high > 0;
      out += fmt::format("| {} | {} | {} | {} | {:+.1f}% | ±{} % | {} | {} | {}/{} | {}{} |\n", row.label, m.metric,
                         number(m.base_median), number(m.head_median), m.change_percent, number(m.tolerance_percent),
                         m.base_n && m.head_n && m.note.empty() ? fmt::format("{:.3g}", m.p_value()) : "–",
                         has_ci ? fmt::format("{:.3f}–{:.3f}", m.ratio_interval.low, m.ratio_interval.high) : "–",
                         m.base_n, m.head_n, harness::to_string(m.verdict), m.note.empty() ? "" : " (" + m.note + ")");
    }
  }
  return out;
}

}  // namespace report

#pragma once
// Compares two runs row by row: did HEAD get slower (throughput normalised to the veth baseline
// of its own pass), more CPU-hungry per Gbps, or bigger in memory? A change only counts when it
// is both larger than the tolerance (widened to the observed noise) and statistically
// significant (Mann-Whitney U p-value below alpha AND the bootstrap interval of the median ratio
// excluding 1).
#include <string>
#include <vector>

#include "harness/result.h"
#include "harness/statistics.h"

namespace harness {

struct GateOptions {
  double tolerance_percent = 5.0;
  double alpha = 0.05;
  // Fewer per side: no verdict possible (with 3 vs 3 the smallest exact two-sided p is 0.1).
  std::size_t min_samples = 4;
};

enum class Verdict { unchanged, improved, regressed, inconclusive };
std::string to_string(Verdict verdict);

struct MetricComparison {
  std::string metric;
  bool higher_is_better = true;
  std::size_t base_n = 0, head_n = 0;
  double base_median = 0, head_median = 0;
  double change_percent = 0;     // head vs base, by median
  double tolerance_percent = 0;  // the one actually applied (noise-aware)
  MannWhitney test;
  Interval ratio_interval;  // of median(head) / median(base)
  Verdict verdict = Verdict::inconclusive;
  std::string note;
};

struct RowComparison {
  std::string label;
  std::vector<MetricComparison> metrics;
  std::string missing;  // "only in base", "only in head" or ""
};

struct Comparison {
  std::vector<RowComparison> rows;
  bool regression() const;
};

MetricComparison compare_metric(const std::string& metric, const std::vector<double>& base,
                                const std::vector<double>& head, bool higher_is_better, const GateOptions& options);

Comparison compare_runs(const RunResult& base, const RunResult& head, const GateOptions& options);

}  // namespace harness

#pragma once
// Compares two runs row by row: did HEAD get slower (throughput normalised to the veth baseline
// of its own pass), more CPU-hungry per Gbps, or bigger in memory? A change only counts when it
// is both larger than the tolerance (widened to the observed noise) and statistically
// significant (Mann-Whitney U p-value below alpha AND the bootstrap interval of the median ratio
// excluding 1). Paired (GateOptions::paired, for base and head split from one run): each pass's
// head ÷ base is one observation, tested with the Wilcoxon signed-rank test and a bootstrap
// interval of the median per-pass ratio.
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
  // Pair base and head samples by pass. Only for two files split from ONE run (ci/perf-gate.sh's
  // base-/head- rows): the pass index then names samples that ran back to back.
  bool paired = false;
  // Fewer pairs: no verdict possible (with 5 pairs the smallest exact two-sided p is 0.0625).
  std::size_t min_pairs = 6;
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
  bool paired = false;
  MannWhitney test;         // unpaired
  SignedRank paired_test;   // paired: of log(head ÷ base) per pass
  Interval ratio_interval;  // of median(head) / median(base), or paired of the median per-pass ratio
  double p_value() const { return paired ? paired_test.p_value : test.p_value; }
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

// `base` and `head` aligned: element i of each ran in the same pass.
MetricComparison compare_paired_metric(const std::string& metric, const std::vector<double>& base,
                                       const std::vector<double>& head, bool higher_is_better,
                                       const GateOptions& options);

// Why base and head cannot be paired by pass ("" when they can): pairing is only sound for two
// files split from one run, which then hold the same kernel veth samples.
std::string unpairable(const RunResult& base, const RunResult& head);

Comparison compare_runs(const RunResult& base, const RunResult& head, const GateOptions& options);

}  // namespace harness

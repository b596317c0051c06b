#pragma once
// Statistics over repeated measurements. Benchmarks on shared machines are noisy (about ±15 %
// between passes here), so comparisons use rank tests and resampling, not means.
#include <cstdint>
#include <vector>

namespace harness {

double median(std::vector<double> values);  // NaN when empty
double minimum(const std::vector<double>& values);
double maximum(const std::vector<double>& values);
// Median absolute deviation scaled to σ for normal data (×1.4826), relative to the median.
double relative_mad(const std::vector<double>& values);

struct MannWhitney {
  double u = 0;        // U of the first sample: pairs (a, b) with a > b, ties counting one half
  double p_value = 1;  // two-sided
  bool exact = false;  // exact distribution (small samples without ties) or normal approximation
};
MannWhitney mann_whitney_u(const std::vector<double>& a, const std::vector<double>& b);

// Wilcoxon signed-rank test of paired differences (head − base of the same pass) against a
// median of 0. Zero differences are dropped (Wilcoxon's convention). Pairing removes what the
// two sides of a pass share (machine drift, the other tenants of the host), which a two-sample
// rank test has to treat as noise.
struct SignedRank {
  double w_plus = 0;   // sum of the ranks of |d| over the positive differences, ties averaged
  std::size_t n = 0;   // non-zero differences
  double p_value = 1;  // two-sided
  bool exact = false;  // exact distribution (no ties, n <= 40) or normal approximation
};
SignedRank wilcoxon_signed_rank(const std::vector<double>& differences);

struct Interval {
  double low = 0;
  double high = 0;
};
// Percentile bootstrap interval of median(head) / median(base). Seeded: the same data always
// yields the same interval, so a gate verdict is reproducible.
Interval bootstrap_median_ratio(const std::vector<double>& base, const std::vector<double>& head,
                                double confidence = 0.95, int iterations = 4000, std::uint64_t seed = 1);

// Percentile bootstrap interval of median(values), resampling the values themselves (for paired
// data: the per-pass ratios). Seeded like bootstrap_median_ratio.
Interval bootstrap_median(const std::vector<double>& values, double confidence = 0.95, int iterations = 4000,
                          std::uint64_t seed = 1);

}  // namespace harness

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

struct Interval {
  double low = 0;
  double high = 0;
};
// Percentile bootstrap interval of median(head) / median(base). Seeded: the same data always
// yields the same interval, so a gate verdict is reproducible.
Interval bootstrap_median_ratio(const std::vector<double>& base, const std::vector<double>& head,
                                double confidence = 0.95, int iterations = 4000, std::uint64_t seed = 1);

}  // namespace harness

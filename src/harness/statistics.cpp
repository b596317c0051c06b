#include "harness/statistics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

namespace harness {
namespace {

// Number of orderings of n1 + n2 distinct values giving each U, U = 0..n1*n2 (the classic
// recurrence f(n1, n2, u) = f(n1 - 1, n2, u - n2) + f(n1, n2 - 1, u)), as doubles to avoid overflow.
std::vector<double> exact_u_distribution(std::size_t n1, std::size_t n2) {
  // table[j] holds the counts for (i, j) while i grows.
  std::vector<std::vector<double>> table(n2 + 1);
  for (std::size_t j = 0; j <= n2; ++j) table[j] = {1.0};  // i = 0: only U = 0
  for (std::size_t i = 1; i <= n1; ++i) {
    std::vector<double> left{1.0};  // j = 0: only U = 0
    std::vector<std::vector<double>> next(n2 + 1);
    next[0] = left;
    for (std::size_t j = 1; j <= n2; ++j) {
      std::vector<double> counts(i * j + 1, 0.0);
      const auto& up = table[j];       // (i - 1, j), shifted by j
      const auto& prev = next[j - 1];  // (i, j - 1)
      for (std::size_t u = 0; u < up.size(); ++u) counts[u + j] += up[u];
      for (std::size_t u = 0; u < prev.size(); ++u) counts[u] += prev[u];
      next[j] = std::move(counts);
    }
    table = std::move(next);
  }
  return table[n2];
}

// Ranks of a pooled sample, ties sharing their average rank: the rank sum of the marked values
// (Mann-Whitney's first sample, Wilcoxon's positive differences) and the tie correction term
// Σ(t³ − t) over groups of t equal values.
struct RankSum {
  double marked = 0;
  double tie_term = 0;
  bool ties = false;
};

RankSum rank_sum_of_marked(std::vector<std::pair<double, bool>> values) {
  std::sort(values.begin(), values.end());
  RankSum sum;
  const std::size_t n = values.size();
  for (std::size_t i = 0; i < n;) {
    std::size_t j = i;
    while (j < n && values[j].first == values[i].first) ++j;
    const double t = static_cast<double>(j - i);
    const double average_rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2.0;
    for (std::size_t k = i; k < j; ++k)
      if (values[k].second) sum.marked += average_rank;
    if (t > 1) {
      sum.ties = true;
      sum.tie_term += t * t * t - t;
    }
    i = j;
  }
  return sum;
}

// Number of subsets of the ranks 1..n with each rank sum, W = 0..n(n+1)/2 (the null distribution
// of W+: each rank's sign is + or − with probability 1/2).
std::vector<double> exact_signed_rank_distribution(std::size_t n) {
  std::vector<double> counts(n * (n + 1) / 2 + 1, 0.0);
  counts[0] = 1.0;
  std::size_t top = 0;
  for (std::size_t rank = 1; rank <= n; ++rank) {
    top += rank;
    for (std::size_t w = top; w >= rank; --w) counts[w] += counts[w - rank];
  }
  return counts;
}

// The percentile interval of already collected bootstrap statistics.
Interval percentile_interval(std::vector<double> statistics, double confidence) {
  Interval interval{std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::quiet_NaN()};
  if (statistics.empty()) return interval;
  std::sort(statistics.begin(), statistics.end());
  const double tail = (1.0 - confidence) / 2.0;
  const auto at = [&](double q) {
    const auto index = static_cast<std::size_t>(std::llround(q * static_cast<double>(statistics.size() - 1)));
    return statistics[std::min(index, statistics.size() - 1)];
  };
  interval.low = at(tail);
  interval.high = at(1.0 - tail);
  return interval;
}

// Two-sided exact p of a statistic whose null distribution is `counts` (occurrences per value 0..n).
double exact_two_sided_p(const std::vector<double>& counts, std::size_t statistic) {
  double total = 0, at_most = 0, at_least = 0;
  for (std::size_t k = 0; k < counts.size(); ++k) {
    total += counts[k];
    if (k <= statistic) at_most += counts[k];
    if (k >= statistic) at_least += counts[k];
  }
  return std::min(1.0, 2.0 * std::min(at_most, at_least) / total);
}

double normal_sf(double z) { return 0.5 * std::erfc(z / std::sqrt(2.0)); }

}  // namespace

double median(std::vector<double> values) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2.0;
}

double minimum(const std::vector<double>& values) {
  return values.empty() ? std::numeric_limits<double>::quiet_NaN() : *std::min_element(values.begin(), values.end());
}

double maximum(const std::vector<double>& values) {
  return values.empty() ? std::numeric_limits<double>::quiet_NaN() : *std::max_element(values.begin(), values.end());
}

double relative_mad(const std::vector<double>& values) {
  const double m = median(values);
  if (values.empty() || m == 0) return 0;
  std::vector<double> deviations;
  deviations.reserve(values.size());
  for (double v : values) deviations.push_back(std::abs(v - m));
  return 1.4826 * median(deviations) / std::abs(m);
}

MannWhitney mann_whitney_u(const std::vector<double>& a, const std::vector<double>& b) {
  MannWhitney result;
  const std::size_t n1 = a.size(), n2 = b.size();
  if (n1 == 0 || n2 == 0) return result;
  std::vector<std::pair<double, bool>> pooled;  // value, from a
  pooled.reserve(n1 + n2);
  for (double v : a) pooled.emplace_back(v, true);
  for (double v : b) pooled.emplace_back(v, false);
  const RankSum ranks = rank_sum_of_marked(std::move(pooled));
  const double dn1 = static_cast<double>(n1), dn2 = static_cast<double>(n2);
  result.u = ranks.marked - dn1 * (dn1 + 1) / 2.0;

  if (!ranks.ties && n1 * n2 <= 2500) {
    result.p_value = exact_two_sided_p(exact_u_distribution(n1, n2), static_cast<std::size_t>(std::llround(result.u)));
    result.exact = true;
    return result;
  }
  // Normal approximation with tie correction and continuity correction.
  const double mean = dn1 * dn2 / 2.0;
  const double dn = dn1 + dn2;
  const double variance = dn1 * dn2 / 12.0 * ((dn + 1) - ranks.tie_term / (dn * (dn - 1)));
  if (variance <= 0) return result;  // every value equal: no evidence of a difference
  const double z = (std::abs(result.u - mean) - 0.5) / std::sqrt(variance);
  result.p_value = std::min(1.0, 2.0 * normal_sf(std::max(0.0, z)));
  return result;
}

Interval bootstrap_median_ratio(const std::vector<double>& base, const std::vector<double>& head, double confidence,
                                int iterations, std::uint64_t seed) {
  Interval interval{std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::quiet_NaN()};
  if (base.empty() || head.empty() || iterations <= 0) return interval;
  std::mt19937_64 random(seed);
  std::uniform_int_distribution<std::size_t> pick_base(0, base.size() - 1), pick_head(0, head.size() - 1);
  std::vector<double> ratios, rb(base.size()), rh(head.size());
  ratios.reserve(static_cast<std::size_t>(iterations));
  for (int i = 0; i < iterations; ++i) {
    for (auto& v : rb) v = base[pick_base(random)];
    for (auto& v : rh) v = head[pick_head(random)];
    const double mb = median(rb);
    if (mb != 0) ratios.push_back(median(rh) / mb);
  }
  return percentile_interval(std::move(ratios), confidence);
}

Interval bootstrap_median(const std::vector<double>& values, double confidence, int iterations, std::uint64_t seed) {
  if (values.empty() || iterations <= 0)
    return {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::quiet_NaN()};
  std::mt19937_64 random(seed);
  std::uniform_int_distribution<std::size_t> pick(0, values.size() - 1);
  std::vector<double> medians, resample(values.size());
  medians.reserve(static_cast<std::size_t>(iterations));
  for (int i = 0; i < iterations; ++i) {
    for (auto& v : resample) v = values[pick(random)];
    medians.push_back(median(resample));
  }
  return percentile_interval(std::move(medians), confidence);
}

SignedRank wilcoxon_signed_rank(const std::vector<double>& differences) {
  SignedRank result;
  std::vector<std::pair<double, bool>> magnitudes;  // |d|, d > 0
  for (double d : differences)
    if (d != 0) magnitudes.emplace_back(std::abs(d), d > 0);
  const std::size_t n = magnitudes.size();
  result.n = n;
  if (n == 0) return result;  // no evidence of a difference
  const RankSum ranks = rank_sum_of_marked(std::move(magnitudes));
  result.w_plus = ranks.marked;
  if (!ranks.ties && n <= 40) {
    result.p_value =
        exact_two_sided_p(exact_signed_rank_distribution(n), static_cast<std::size_t>(std::llround(result.w_plus)));
    result.exact = true;
    return result;
  }
  // Normal approximation with tie correction and continuity correction.
  const double dn = static_cast<double>(n);
  const double mean = dn * (dn + 1) / 4.0;
  const double variance = dn * (dn + 1) * (2 * dn + 1) / 24.0 - ranks.tie_term / 48.0;
  if (variance <= 0) return result;
  const double z = (std::abs(result.w_plus - mean) - 0.5) / std::sqrt(variance);
  result.p_value = std::min(1.0, 2.0 * normal_sf(std::max(0.0, z)));
  return result;
}

}  // namespace harness

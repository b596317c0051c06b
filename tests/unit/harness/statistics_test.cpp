#include "harness/statistics.h"

#include <cmath>

#include <gtest/gtest.h>

using namespace harness;

TEST(Statistics, Median) {
  EXPECT_DOUBLE_EQ(median({3, 1, 2}), 2.0);
  EXPECT_DOUBLE_EQ(median({4, 1, 3, 2}), 2.5);
  EXPECT_DOUBLE_EQ(median({7}), 7.0);
  EXPECT_TRUE(std::isnan(median({})));
  EXPECT_DOUBLE_EQ(minimum({3, 1, 2}), 1.0);
  EXPECT_DOUBLE_EQ(maximum({3, 1, 2}), 3.0);
}

TEST(Statistics, RelativeMad) {
  EXPECT_DOUBLE_EQ(relative_mad({5, 5, 5}), 0.0);
  // deviations from 10: 1, 0, 1 → MAD 1 → 1.4826 / 10.
  EXPECT_NEAR(relative_mad({9, 10, 11}), 0.14826, 1e-9);
}

TEST(MannWhitney, ExactSmallSampleKnownValue) {
  // The classic textbook example (also SciPy's documentation): U = 17, exact two-sided p = 1/9.
  const auto r = mann_whitney_u({19, 22, 16, 29, 24}, {20, 11, 17, 12});
  EXPECT_TRUE(r.exact);
  EXPECT_DOUBLE_EQ(r.u, 17.0);
  EXPECT_NEAR(r.p_value, 1.0 / 9.0, 1e-12);
}

TEST(MannWhitney, CompleteSeparationOfTenAgainstTen) {
  std::vector<double> low, high;
  for (int i = 0; i < 10; ++i) low.push_back(i), high.push_back(100 + i);
  const auto r = mann_whitney_u(high, low);
  EXPECT_DOUBLE_EQ(r.u, 100.0);
  // Only 2 of C(20,10) = 184756 orderings are this extreme.
  EXPECT_NEAR(r.p_value, 2.0 / 184756.0, 1e-15);
  EXPECT_DOUBLE_EQ(mann_whitney_u(low, high).u, 0.0);
}

TEST(MannWhitney, TiesUseTheCorrectedNormalApproximation) {
  const auto r = mann_whitney_u({1, 2, 2, 3, 4, 5, 5, 6, 7, 8, 9, 9}, {3, 4, 4, 5, 6, 7, 8, 8, 10, 11, 12, 12, 13});
  EXPECT_FALSE(r.exact);
  EXPECT_DOUBLE_EQ(r.u, 42.5);
  EXPECT_NEAR(r.p_value, 0.0560851607, 1e-8);
}

TEST(MannWhitney, IdenticalSamplesGiveNoEvidence) {
  const auto r = mann_whitney_u({1, 2, 3, 4}, {1, 2, 3, 4});
  EXPECT_DOUBLE_EQ(r.p_value, 1.0);
  EXPECT_DOUBLE_EQ(mann_whitney_u({5, 5, 5}, {5, 5, 5}).p_value, 1.0);
}

TEST(Bootstrap, IntervalOfTheMedianRatio) {
  const std::vector<double> base{10.0, 10.2, 9.8, 10.1, 9.9, 10.0, 10.3, 9.7};
  std::vector<double> slower;
  slower.reserve(base.size());
  for (double v : base) slower.push_back(v * 0.9);
  const auto same = bootstrap_median_ratio(base, base);
  EXPECT_LE(same.low, 1.0);
  EXPECT_GE(same.high, 1.0);
  const auto slow = bootstrap_median_ratio(base, slower);
  EXPECT_LT(slow.high, 1.0);
  EXPECT_GT(slow.low, 0.8);
  // Seeded: reproducible.
  const auto again = bootstrap_median_ratio(base, slower);
  EXPECT_DOUBLE_EQ(slow.low, again.low);
  EXPECT_DOUBLE_EQ(slow.high, again.high);
}

// Reference values: scipy.stats.wilcoxon(d, method="exact") and R's wilcox.test(d, exact = TRUE).
TEST(SignedRank, AllSixPositiveGivesTheSmallestExactP) {
  const auto w = wilcoxon_signed_rank({0.1, 0.2, 0.3, 0.4, 0.5, 0.6});
  EXPECT_TRUE(w.exact);
  EXPECT_EQ(w.n, 6u);
  EXPECT_DOUBLE_EQ(w.w_plus, 21.0);
  EXPECT_DOUBLE_EQ(w.p_value, 2.0 / 64.0);  // only all-plus (and all-minus) reach W+ = 21
}

TEST(SignedRank, FiveDifferencesCannotReachFivePercent) {
  const auto w = wilcoxon_signed_rank({-0.5, -0.4, -0.3, -0.2, -0.1});
  EXPECT_DOUBLE_EQ(w.w_plus, 0.0);
  EXPECT_DOUBLE_EQ(w.p_value, 2.0 / 32.0);
}

TEST(SignedRank, ExactKnownValueWithMixedSigns) {
  // |d| ranks 1..8, positive ranks 1, 2, 4, 5, 6, 7, 8 → W+ = 33; P(W+ >= 33) = 5/256 for n = 8.
  const auto w = wilcoxon_signed_rank({0.01, 0.02, -0.03, 0.04, 0.05, 0.06, 0.07, 0.08});
  EXPECT_TRUE(w.exact);
  EXPECT_DOUBLE_EQ(w.w_plus, 33.0);
  EXPECT_NEAR(w.p_value, 2.0 * 5.0 / 256.0, 1e-12);
}

TEST(SignedRank, ZerosAreDroppedAndTiesUseTheNormalApproximation) {
  const auto w = wilcoxon_signed_rank({0.0, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1});
  EXPECT_EQ(w.n, 10u);
  EXPECT_FALSE(w.exact);
  EXPECT_DOUBLE_EQ(w.w_plus, 55.0);
  EXPECT_LT(w.p_value, 0.01);
}

TEST(SignedRank, NoDifferenceGivesNoEvidence) {
  const auto w = wilcoxon_signed_rank({0.0, 0.0, 0.0});
  EXPECT_EQ(w.n, 0u);
  EXPECT_DOUBLE_EQ(w.p_value, 1.0);
  const auto balanced = wilcoxon_signed_rank({0.1, -0.2, 0.3, -0.4, 0.5, -0.6, 0.7, -0.8});
  EXPECT_GT(balanced.p_value, 0.5);
}

TEST(Bootstrap, IntervalOfTheMedianCoversItAndIsSeeded) {
  const std::vector<double> v{0.95, 0.96, 0.97, 0.97, 0.98, 0.99, 1.0, 0.96};
  const auto i = bootstrap_median(v);
  EXPECT_LE(i.low, median(v));
  EXPECT_GE(i.high, median(v));
  EXPECT_LT(i.high, 1.0 + 1e-12);
  EXPECT_GE(i.low, 0.95);
  const auto again = bootstrap_median(v);
  EXPECT_EQ(i.low, again.low);
  EXPECT_EQ(i.high, again.high);
}

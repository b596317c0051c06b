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

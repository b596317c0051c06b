#include "os/cpu_placement.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/test_names.h"

namespace {

struct Case {
  const char* name;
  const char* spec;
  std::vector<int> allowed;
  std::vector<int> want;  // CPUs chosen when the spec is valid
  const char* error;      // substring of the error, or nullptr when valid
};

const Case kCases[] = {
    {"AutoTakesTheHighestAllowedCpu", "auto", {0, 1}, {1}, nullptr},
    {"AutoFollowsAnInheritedMask", "auto", {2, 5, 7}, {7}, nullptr},
    {"AutoLeavesASingleCpuUnpinned", "auto", {0}, {}, nullptr},
    {"NoneNeverPins", "none", {0, 1, 2, 3}, {}, nullptr},
    {"OneCpu", "1", {0, 1}, {1}, nullptr},
    {"ListAndRangeSortedWithoutDuplicates", "3,0-1,1", {0, 1, 2, 3}, {0, 1, 3}, nullptr},
    {"CpuNotAllowedNamesItAndTheAllowedSet", "4", {0, 1}, {}, "CPU 4 is not available to this process (allowed: 0,1)"},
    {"GarbageNamesTheItem", "1,x", {0, 1}, {}, "'x' is not a CPU number or range"},
    {"ReversedRange", "1-0", {0, 1}, {}, "'1-0' is not a CPU number or range"},
    {"NegativeNumber", "-1", {0, 1}, {}, "is not a CPU number or range"},
    {"EmptyItem", "0,,1", {0, 1}, {}, "'' is not a CPU number or range"},
};

class CpuPlacementSpec : public testing::TestWithParam<Case> {};

TEST_P(CpuPlacementSpec, ParsesAsDocumented) {
  const Case& c = GetParam();
  std::string error;
  const auto p = os::parse_cpu_placement(c.spec, c.allowed, error);
  if (c.error) {
    ASSERT_FALSE(p.has_value());
    EXPECT_NE(error.find(c.error), std::string::npos) << error;
    EXPECT_NE(error.find(std::string("--cpus ") + c.spec), std::string::npos) << error;
  } else {
    ASSERT_TRUE(p.has_value()) << error;
    EXPECT_EQ(p->cpus, c.want);
    EXPECT_EQ(p->pinned(), !c.want.empty());
  }
}

INSTANTIATE_TEST_SUITE_P(Rules, CpuPlacementSpec, testing::ValuesIn(kCases), tbtest::case_name);

TEST(CpuPlacement, DescribeSaysWhereThreadsRun) {
  EXPECT_EQ(os::CpuPlacement{}.describe(), "not pinned");
  EXPECT_EQ(os::CpuPlacement{{1}}.describe(), "cpu 1");
  EXPECT_EQ((os::CpuPlacement{{0, 2}}.describe()), "cpus 0,2");
}

TEST(CpuPlacement, AppliedPlacementIsWhatTheThreadMayUse) {
  const auto before = os::allowed_cpus();
  ASSERT_FALSE(before.empty());
  os::CpuPlacement one{{before.front()}};
  ASSERT_EQ(os::apply_cpu_placement(one), "");
  EXPECT_EQ(os::allowed_cpus(), one.cpus);
  ASSERT_EQ(os::apply_cpu_placement(os::CpuPlacement{before}), "");  // restore for later tests
  EXPECT_EQ(os::allowed_cpus(), before);
}

}  // namespace

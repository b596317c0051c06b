// The planted slowdowns of src/offload/plant.h are test-only: a build configured without
// -DTUNBENCH_PLANT (every preset, the shipped release) carries none. This test fails in any build
// that has one, so a plant can never pass `ctest -L unit` unnoticed.
#include "offload/plant.h"

#include <array>
#include <cstdint>

#include <gtest/gtest.h>

namespace {

TEST(Plant, OffByDefault) {
  EXPECT_EQ(offload::plant::kName, "none");
  EXPECT_EQ(offload::plant::kGsoCsumPercent, 0u);
  EXPECT_EQ(offload::plant::kGroCopyPercent, 0u);
  EXPECT_EQ(offload::plant::kStackRxPercent, 0u);
  EXPECT_FALSE(offload::plant::kExtraWrite);
}

TEST(Plant, BurnLeavesTheBytesAlone) {
  std::array<std::uint8_t, 4> bytes{1, 2, 3, 4};
  offload::plant::burn(bytes.data(), bytes.size(), 1000);
  EXPECT_EQ(bytes, (std::array<std::uint8_t, 4>{1, 2, 3, 4}));
}

}  // namespace

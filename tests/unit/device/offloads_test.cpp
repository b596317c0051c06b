#include "device/offloads.h"

#include <gtest/gtest.h>

namespace device {
namespace {

struct DescribeCase {
  Offloads offloads;
  const char* text;
};

class DescribeTest : public ::testing::TestWithParam<DescribeCase> {};

TEST_P(DescribeTest, ListsGrantedFlagsInOrder) { EXPECT_EQ(describe(GetParam().offloads), GetParam().text); }

INSTANTIATE_TEST_SUITE_P(Table, DescribeTest,
                         ::testing::Values(DescribeCase{{}, "none"}, DescribeCase{{.vnet_hdr = true}, "vnet_hdr"},
                                           DescribeCase{{true, true, true, true, false}, "vnet_hdr csum tso4 tso6"},
                                           DescribeCase{{true, true, true, true, true}, "vnet_hdr csum tso4 tso6 uso"},
                                           DescribeCase{{.uso = true}, "uso"}));

TEST(OffloadsTest, GsoNeedsVnetHeaderAndChecksum) {
  EXPECT_TRUE((Offloads{true, true, true, true, true}).tcp_gso());
  EXPECT_TRUE((Offloads{true, true, true, true, true}).udp_gso());
  EXPECT_FALSE((Offloads{false, true, true, true, true}).tcp_gso());
  EXPECT_FALSE((Offloads{true, true, true, true, false}).udp_gso());
}

}  // namespace
}  // namespace device

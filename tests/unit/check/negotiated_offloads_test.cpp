// What a forwarder negotiated, read from its TUN's features (check/negotiated_offloads.h): the
// TUN_F_* → feature mapping of drivers/net/tun.c, one row per flag.
#include "check/negotiated_offloads.h"

#include <gtest/gtest.h>

// A named namespace: the unity build puts this file beside the other check tests.
namespace negotiated_offloads_test {

struct Row {
  const char* feature;
  const char* described;
};

class NegotiatedOffload : public ::testing::TestWithParam<Row> {};

TEST_P(NegotiatedOffload, EachTunFlagIsReadFromTheFeatureTunSetOffloadTurnsOn) {
  const auto& row = GetParam();
  std::map<std::string, bool> features = {{"tx-checksum-ip-generic", false},
                                          {"tx-tcp-segmentation", false},
                                          {"tx-tcp6-segmentation", false},
                                          {"tx-udp-segmentation", false},
                                          {"rx-gro", true}};
  EXPECT_EQ(check::offloads_from_features(features).describe(), "none");
  features[row.feature] = true;
  EXPECT_EQ(check::offloads_from_features(features).describe(), row.described);
}

INSTANTIATE_TEST_SUITE_P(TunFlags, NegotiatedOffload,
                         ::testing::Values(Row{"tx-checksum-ip-generic", "csum"}, Row{"tx-tcp-segmentation", "tso4"},
                                           Row{"tx-tcp6-segmentation", "tso6"}, Row{"tx-udp-segmentation", "uso"}));

TEST(NegotiatedOffloads, AllFourAreNamedInOrderAndAMissingFeatureIsOff) {
  EXPECT_EQ(check::offloads_from_features({{"tx-udp-segmentation", true},
                                           {"tx-tcp6-segmentation", true},
                                           {"tx-tcp-segmentation", true},
                                           {"tx-checksum-ip-generic", true}})
                .describe(),
            "csum tso4 tso6 uso");
  EXPECT_EQ(check::offloads_from_features({}).describe(), "none");
}

}  // namespace negotiated_offloads_test

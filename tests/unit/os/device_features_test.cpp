// A device's features by their ethtool names (os/device_features.h), read from the loopback
// device of the test's own namespace (reading needs no privilege).
#include "os/device_features.h"

#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

namespace {

class DeviceFeatures : public ::testing::Test {
 protected:
  void SetUp() override {
    fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(fd_, 0);
  }
  void TearDown() override {
    if (fd_ >= 0) ::close(fd_);
  }
  int fd_ = -1;
};

TEST_F(DeviceFeatures, LoopbackShowsItsFixedFeaturesByTheirEthtoolNames) {
  const auto f = os::device_features(fd_, "lo");
  // drivers/net/loopback.c: NETIF_F_LOOPBACK and the software GSO set are always on, and no
  // device has GRO hardware offload (rx-gro-hw) on the loopback.
  ASSERT_TRUE(f.contains("loopback")) << f.size() << " features";
  EXPECT_TRUE(f.at("loopback"));
  EXPECT_TRUE(f.at("tx-tcp-segmentation"));
  ASSERT_TRUE(f.contains("rx-gro-hw"));
  EXPECT_FALSE(f.at("rx-gro-hw"));
}

TEST_F(DeviceFeatures, AMissingDeviceIsAnErrorNamingIt) {
  try {
    os::device_features(fd_, "tb-no-such0");
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("tb-no-such0"), std::string::npos) << e.what();
  }
}

TEST_F(DeviceFeatures, AnUnknownFeatureNameIsRefusedBeforeAnythingChanges) {
  try {
    os::set_device_features(fd_, "lo", {{"no-such-feature", true}});
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("no feature named 'no-such-feature'"), std::string::npos) << e.what();
  }
}

}  // namespace

#include "device/tun_device.h"

#include <unistd.h>

#include <string>

#include <gtest/gtest.h>

namespace device {
namespace {

std::string open_error(const TunConfig& config) {
  try {
    TunDevice::open(config);
  } catch (const DeviceError& e) {
    return e.what();
  }
  return "(no error)";
}

// Checks that happen before any syscall: safe as root too, nothing is created.
TEST(TunDeviceTest, RejectsAnOverlongNameBeforeTouchingTheSystem) {
  EXPECT_EQ(open_error({.name = "a_name_far_too_long_for_ifnamsiz"}),
            "a_name_far_too_long_for_ifnamsiz: device name: File name too long");
}

TEST(TunDeviceTest, RejectsZeroQueues) {
  EXPECT_EQ(open_error({.name = "tun11", .queues = 0}), "tun11: queue count: Invalid argument");
}

TEST(TunDeviceTest, WithoutRootOpeningFailsWithAClearError) {
  if (::geteuid() == 0) GTEST_SKIP() << "running as root: this test needs an unprivileged user";
  const std::string error = open_error({.name = "tbunit0"});
  // Either /dev/net/tun is not accessible or TUNSETIFF needs CAP_NET_ADMIN.
  EXPECT_TRUE(error == "tbunit0: TUNSETIFF: Operation not permitted" ||
              error.starts_with("tbunit0: open /dev/net/tun: "))
      << error;
}

}  // namespace
}  // namespace device

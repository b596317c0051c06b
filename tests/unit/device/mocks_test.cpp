// The mocks of support/mock_devices.h compile against the interfaces and forward calls as
// declared.
#include <array>
#include <cerrno>

#include <gtest/gtest.h>

#include "support/mock_devices.h"

namespace tbtest {
namespace {

using device::AsyncBatchDevice;
using device::BatchDevice;
using device::IoResult;
using device::Offloads;
using device::Packet;
using device::PacketDevice;

using ::testing::_;
using ::testing::Return;

TEST(MocksTest, PacketDevice) {
  MockPacketDevice m;
  EXPECT_CALL(m, read(_)).WillOnce(Return(IoResult{0, ECANCELED}));
  EXPECT_CALL(m, interrupt());
  PacketDevice& d = m;
  std::array<std::uint8_t, 4> buf{};
  EXPECT_EQ(d.read(buf).error, ECANCELED);
  d.interrupt();
}

TEST(MocksTest, BatchDevice) {
  MockBatchDevice m;
  EXPECT_CALL(m, offloads()).WillOnce(Return(Offloads{.vnet_hdr = true}));
  EXPECT_CALL(m, send_batch(_)).WillOnce(Return(IoResult{2, 0}));
  BatchDevice& d = m;
  EXPECT_TRUE(d.offloads().vnet_hdr);
  EXPECT_EQ(d.send_batch({}).count, 2u);
}

TEST(MocksTest, AsyncBatchDevice) {
  MockAsyncBatchDevice m;
  EXPECT_CALL(m, async_recv_batch(_, _)).WillOnce([](std::span<Packet>, const AsyncBatchDevice::Handler& h) {
    h(IoResult{1, 0});
  });
  EXPECT_CALL(m, cancel());
  AsyncBatchDevice& d = m;
  IoResult got;
  d.async_recv_batch({}, [&](IoResult r) { got = r; });
  d.cancel();
  EXPECT_EQ(got.count, 1u);
}

}  // namespace
}  // namespace tbtest

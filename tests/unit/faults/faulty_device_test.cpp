// The fault decorators (src/faults/): every Nth write refused exactly as planned, nothing else
// changed, a refused write never reaches the real device, and the plan parsed from the
// environment with a clear error for a bad value.
#include "faults/faulty_device.h"

#include <cerrno>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "faults/fault_plan.h"
#include "support/mock_devices.h"

namespace {

using device::IoResult;
using device::OutPacket;
using ::testing::_;
using ::testing::Return;

vnet::VnetHeader gso_header() {
  vnet::VnetHeader h;
  h.flags = vnet::kFlagNeedsCsum;
  h.gso_type = vnet::kGsoTcpV4;
  h.gso_size = 1000;
  return h;
}

// Which of `n` writes the injector refuses, and with which errno (0 = performed).
std::vector<int> decisions(faults::FaultPlan plan, std::size_t n, bool gso) {
  faults::Injector injector(plan);
  std::vector<int> v;
  for (std::size_t i = 0; i < n; ++i) v.push_back(injector.next_write(gso));
  return v;
}

TEST(Injector, RefusesEveryNthWriteWithEnobufs) {
  EXPECT_EQ(decisions({.write_enobufs_every = 3}, 7, false), (std::vector<int>{0, 0, ENOBUFS, 0, 0, ENOBUFS, 0}));
}

TEST(Injector, RefusesEveryNthGsoWriteWithEinvalAndIgnoresPlainWrites) {
  EXPECT_EQ(decisions({.gso_einval_every = 2}, 4, true), (std::vector<int>{0, EINVAL, 0, EINVAL}));
  EXPECT_EQ(decisions({.gso_einval_every = 2}, 4, false), (std::vector<int>{0, 0, 0, 0}));
}

TEST(Injector, InactivePlanRefusesNothing) {
  const faults::FaultPlan none;
  EXPECT_FALSE(none.active());
  EXPECT_EQ(none.describe(), "");
  EXPECT_EQ(decisions(none, 100, true), std::vector<int>(100, 0));
}

TEST(FaultPlan, ReadsTheEnvironmentAndRejectsGarbage) {
  ::setenv("TUNFWD_FAULT_GSO_EINVAL", "7", 1);
  ::setenv("TUNFWD_FAULT_WRITE_ENOBUFS", "50", 1);
  const auto plan = faults::FaultPlan::from_env();
  EXPECT_EQ(plan.gso_einval_every, 7u);
  EXPECT_EQ(plan.write_enobufs_every, 50u);
  EXPECT_EQ(plan.describe(), "TUNFWD_FAULT_GSO_EINVAL=7 TUNFWD_FAULT_WRITE_ENOBUFS=50");
  ::setenv("TUNFWD_FAULT_WRITE_ENOBUFS", "5x", 1);
  try {
    (void)faults::FaultPlan::from_env();
    ADD_FAILURE() << "5x accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "TUNFWD_FAULT_WRITE_ENOBUFS=5x: expected a whole number (every Nth write)");
  }
  ::unsetenv("TUNFWD_FAULT_GSO_EINVAL");
  ::unsetenv("TUNFWD_FAULT_WRITE_ENOBUFS");
  EXPECT_FALSE(faults::FaultPlan::from_env().active());
}

TEST(FaultyQueue, RefusedPacketWriteNeverReachesTheDevice) {
  tbtest::MockPacketDevice packet;
  tbtest::MockBatchDevice batch;
  faults::Injector injector({.write_enobufs_every = 2});
  faults::FaultyQueue q(packet, batch, injector);
  const std::vector<std::uint8_t> bytes(60, 1);
  EXPECT_CALL(packet, write(_)).Times(2).WillRepeatedly(Return(IoResult{60, 0}));
  EXPECT_EQ(q.write(bytes).error, 0);
  EXPECT_EQ(q.write(bytes).error, ENOBUFS);
  EXPECT_EQ(q.write(bytes).error, 0);
}

TEST(FaultyQueue, BatchStopsAtTheRefusedPacketAfterWritingThoseBefore) {
  tbtest::MockPacketDevice packet;
  tbtest::MockBatchDevice batch;
  faults::Injector injector({.gso_einval_every = 2});
  faults::FaultyQueue q(packet, batch, injector);
  ON_CALL(batch, offloads()).WillByDefault(Return(device::Offloads{true, true, true, true, true}));
  const std::vector<std::uint8_t> bytes(100, 2);
  const std::vector<OutPacket> out{{bytes, {}}, {bytes, gso_header()}, {bytes, gso_header()}, {bytes, {}}};
  // Plain, then GSO #1 are written; GSO #2 is refused: nothing after it is attempted.
  EXPECT_CALL(batch, send_batch(_)).Times(2).WillRepeatedly(Return(IoResult{1, 0}));
  const auto r = q.send_batch(out);
  EXPECT_EQ(r.count, 2u);
  EXPECT_EQ(r.error, EINVAL);
}

TEST(FaultyQueue, ADeviceRefusalPassesThroughWithItsCount) {
  tbtest::MockPacketDevice packet;
  tbtest::MockBatchDevice batch;
  faults::Injector injector({});
  faults::FaultyQueue q(packet, batch, injector);
  ON_CALL(batch, offloads()).WillByDefault(Return(device::Offloads{}));
  const std::vector<std::uint8_t> bytes(100, 3);
  const std::vector<OutPacket> out{{bytes, {}}, {bytes, {}}, {bytes, {}}};
  EXPECT_CALL(batch, send_batch(_)).WillOnce(Return(IoResult{1, 0})).WillOnce(Return(IoResult{0, EIO}));
  const auto r = q.send_batch(out);
  EXPECT_EQ(r.count, 1u);
  EXPECT_EQ(r.error, EIO);
}

TEST(FaultyAsyncDevice, RefusesOnTheExecutorAfterSendingThoseBefore) {
  boost::asio::io_context io;
  tbtest::MockAsyncBatchDevice inner;
  faults::Injector injector({.write_enobufs_every = 3});
  faults::FaultyAsyncDevice dev(inner, injector);
  ON_CALL(inner, executor()).WillByDefault(Return(io.get_executor()));
  ON_CALL(inner, offloads()).WillByDefault(Return(device::Offloads{}));
  int sent = 0;
  EXPECT_CALL(inner, async_send_batch(_, _)).Times(2).WillRepeatedly([&](auto packets, auto handler) {
    EXPECT_EQ(packets.size(), 1u) << "one packet per inner write";
    ++sent;
    boost::asio::post(io, [h = std::move(handler)] { h(IoResult{1, 0}); });
  });
  const std::vector<std::uint8_t> bytes(80, 4);
  const std::vector<OutPacket> out(5, OutPacket{bytes, {}});
  std::optional<IoResult> result;
  dev.async_send_batch(out, [&](IoResult r) { result = r; });
  EXPECT_FALSE(result) << "never completes inside the call";
  io.run();
  ASSERT_TRUE(result);
  EXPECT_EQ(result->count, 2u);
  EXPECT_EQ(result->error, ENOBUFS);
  EXPECT_EQ(sent, 2);
}

}  // namespace

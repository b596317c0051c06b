#include "device/async_tun_device.h"

#include <array>
#include <cerrno>
#include <optional>

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "support/socket_pair.h"

namespace device {
namespace {

using tbtest::read_raw;
using tbtest::SocketPair;
using tbtest::test_packet;

const Offloads kVnet{true, true, true, true, false};

class AsyncTunDeviceTest : public ::testing::Test {
 protected:
  SocketPair sp;
  boost::asio::io_context io;
  int peer() const { return sp.peer.get(); }
};

TEST_F(AsyncTunDeviceTest, RecvBatchDrainsWhatIsReady) {
  AsyncTunDevice dev(io.get_executor(), std::move(sp.ours), {});
  for (std::uint8_t tag = 1; tag <= 3; ++tag) {
    const auto p = test_packet(tag, 50 + tag);
    ASSERT_GT(::write(peer(), p.data(), p.size()), 0);
  }
  std::array<std::array<std::uint8_t, 256>, 4> storage{};
  std::array<Packet, 4> batch;
  for (std::size_t i = 0; i < batch.size(); ++i) batch[i].buffer = storage[i];
  std::optional<IoResult> result;
  dev.async_recv_batch(batch, [&](IoResult r) { result = r; });
  EXPECT_FALSE(result) << "handler must not run inside the initiating call";
  io.run();
  ASSERT_TRUE(result);
  ASSERT_TRUE(result->ok()) << result->error;
  ASSERT_EQ(result->count, 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(batch[i].length, 51u + i);
    EXPECT_EQ(batch[i].bytes()[1], i + 1);
  }
}

TEST_F(AsyncTunDeviceTest, RecvWaitsUntilAPacketArrives) {
  AsyncTunDevice dev(io.get_executor(), std::move(sp.ours), {});
  std::array<std::uint8_t, 256> buf{};
  std::array<Packet, 1> batch{Packet{.buffer = buf}};
  std::optional<IoResult> result;
  dev.async_recv_batch(batch, [&](IoResult r) { result = r; });
  io.poll();  // nothing to read yet
  EXPECT_FALSE(result);
  const auto p = test_packet(5, 42);
  ASSERT_GT(::write(peer(), p.data(), p.size()), 0);
  io.run();
  ASSERT_TRUE(result);
  EXPECT_EQ(result->count, 1u);
  EXPECT_EQ(batch[0].length, 42u);
}

TEST_F(AsyncTunDeviceTest, VnetHeaderRoundTrip) {
  AsyncTunDevice dev(io.get_executor(), std::move(sp.ours), kVnet);
  EXPECT_EQ(dev.offloads(), kVnet);
  const vnet::VnetHeader h{.flags = vnet::kFlagNeedsCsum,
                           .gso_type = vnet::kGsoTcpV6,
                           .hdr_len = 72,
                           .gso_size = 1428,
                           .csum_start = 40,
                           .csum_offset = 16};
  const auto pkt = test_packet(8, 90);
  const std::array<OutPacket, 2> out{OutPacket{.bytes = pkt, .vnet = h}, OutPacket{.bytes = pkt}};
  std::optional<IoResult> sent;
  dev.async_send_batch(out, [&](IoResult r) { sent = r; });
  EXPECT_FALSE(sent);
  io.run();
  ASSERT_TRUE(sent);
  EXPECT_TRUE(sent->ok());
  EXPECT_EQ(sent->count, 2u);

  // Echo both wire messages back and decode them.
  for (int i = 0; i < 2; ++i) {
    const auto wire = read_raw(peer());
    ASSERT_EQ(wire.size(), vnet::kHeaderSize + pkt.size());
    ASSERT_EQ(::write(peer(), wire.data(), wire.size()), static_cast<ssize_t>(wire.size()));
  }
  std::array<std::array<std::uint8_t, 256>, 2> storage{};
  std::array<Packet, 2> batch{Packet{.buffer = storage[0]}, Packet{.buffer = storage[1]}};
  std::optional<IoResult> got;
  dev.async_recv_batch(batch, [&](IoResult r) { got = r; });
  io.restart();
  io.run();
  ASSERT_TRUE(got);
  ASSERT_EQ(got->count, 2u);
  EXPECT_EQ(batch[0].vnet, h);
  EXPECT_EQ(batch[1].vnet, vnet::VnetHeader{});
  EXPECT_EQ(batch[0].length, pkt.size());
}

TEST_F(AsyncTunDeviceTest, CancelCompletesAPendingRecvWithEcanceled) {
  AsyncTunDevice dev(io.get_executor(), std::move(sp.ours), {});
  std::array<std::uint8_t, 256> buf{};
  std::array<Packet, 1> batch{Packet{.buffer = buf}};
  std::optional<IoResult> result;
  dev.async_recv_batch(batch, [&](IoResult r) { result = r; });
  io.poll();
  ASSERT_FALSE(result);
  dev.cancel();
  io.run();
  ASSERT_TRUE(result);
  EXPECT_EQ(result->error, ECANCELED);
  EXPECT_EQ(result->count, 0u);
}

TEST_F(AsyncTunDeviceTest, SendWaitsForRoomWhenTheQueueIsFull) {
  AsyncTunDevice dev(io.get_executor(), std::move(sp.ours), {});
  const auto pkt = test_packet(4, 1000);
  std::size_t total = 0;
  std::optional<IoResult> result;
  // Keep sending 8-packet batches until one has to wait for the peer to read.
  std::array<OutPacket, 8> out;
  out.fill(OutPacket{.bytes = pkt});
  for (;;) {
    result.reset();
    dev.async_send_batch(out, [&](IoResult r) { result = r; });
    io.restart();
    io.poll();
    if (!result) break;
    ASSERT_TRUE(result->ok());
    total += result->count;
  }
  ASSERT_GT(total, 0u);
  std::size_t drained = 0;
  while (!result) {
    if (!read_raw(peer()).empty()) ++drained;
    io.restart();
    io.poll();
  }
  EXPECT_TRUE(result->ok()) << result->error;
  EXPECT_EQ(result->count, out.size());
  EXPECT_GT(drained, 0u);
}

TEST_F(AsyncTunDeviceTest, ClosedPeerIsAnError) {
  AsyncTunDevice dev(io.get_executor(), std::move(sp.ours), {});
  sp.peer.reset();
  std::array<std::uint8_t, 256> buf{};
  std::array<Packet, 1> batch{Packet{.buffer = buf}};
  std::optional<IoResult> result;
  dev.async_recv_batch(batch, [&](IoResult r) { result = r; });
  io.run();
  ASSERT_TRUE(result);
  EXPECT_EQ(result->error, EPIPE);
}

TEST_F(AsyncTunDeviceTest, RefusedPacketIsReportedWithItsIndex) {
  const int small = 4096;
  ASSERT_EQ(::setsockopt(sp.ours.get(), SOL_SOCKET, SO_SNDBUF, &small, sizeof small), 0);
  AsyncTunDevice dev(io.get_executor(), std::move(sp.ours), {});
  const auto ok = test_packet(1, 100);
  const auto huge = test_packet(2, 200000);
  const std::array<OutPacket, 3> out{OutPacket{.bytes = ok}, OutPacket{.bytes = huge}, OutPacket{.bytes = ok}};
  std::optional<IoResult> result;
  dev.async_send_batch(out, [&](IoResult r) { result = r; });
  io.run();
  ASSERT_TRUE(result);
  EXPECT_EQ(result->count, 1u);
  EXPECT_EQ(result->error, EMSGSIZE);
}

}  // namespace
}  // namespace device

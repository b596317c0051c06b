#include "device/fd_queue.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <future>
#include <latch>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "support/blocked_call.h"
#include "support/offload_sets.h"
#include "support/socket_pair.h"

namespace device {
namespace {

using tbtest::kEveryOffload;
using tbtest::kPlain;
using tbtest::once_blocked;
using tbtest::read_raw;
using tbtest::SocketPair;
using tbtest::test_packet;

// Reads one packet of up to 256 bytes from `q`.
IoResult read_small(FdQueue& q) {
  std::array<std::uint8_t, 256> buf{};
  return q.read(buf);
}

// A blocking fd: a read sleeps in the kernel (one system call per packet, not read, poll, read).
TEST(FdQueueTest, MakesTheFdBlocking) {
  SocketPair sp;
  const int fd = sp.ours.get();
  ASSERT_EQ(::fcntl(fd, F_SETFL, O_NONBLOCK), 0);
  FdQueue q(std::move(sp.ours), kPlain);
  EXPECT_FALSE(::fcntl(fd, F_GETFL) & O_NONBLOCK);
  EXPECT_EQ(q.fd(), fd);
  EXPECT_EQ(q.offloads(), kPlain);
}

TEST(FdQueueTest, ReadAndWriteOnePacket) {
  SocketPair sp;
  FdQueue q(std::move(sp.ours), kPlain);
  const auto in = test_packet(1, 100);
  ASSERT_EQ(::write(sp.peer.get(), in.data(), in.size()), 100);
  std::array<std::uint8_t, 2048> buf{};
  const IoResult r = q.read(buf);
  ASSERT_TRUE(r.ok()) << r.error;
  ASSERT_EQ(r.count, 100u);
  EXPECT_TRUE(std::equal(in.begin(), in.end(), buf.begin()));

  const auto out = test_packet(2, 77);
  const IoResult w = q.write(out);
  ASSERT_TRUE(w.ok()) << w.error;
  EXPECT_EQ(w.count, 77u);
  EXPECT_EQ(read_raw(sp.peer.get()), out);
}

TEST(FdQueueTest, RecvBatchTakesEverythingQueuedUpToTheBatchSize) {
  SocketPair sp;
  FdQueue q(std::move(sp.ours), kPlain);
  for (std::uint8_t tag = 1; tag <= 5; ++tag) {
    const auto p = test_packet(tag, 40 + tag);
    ASSERT_GT(::write(sp.peer.get(), p.data(), p.size()), 0);
  }
  std::array<std::array<std::uint8_t, 256>, 3> storage{};
  std::array<Packet, 3> batch;
  for (std::size_t i = 0; i < batch.size(); ++i) batch[i].buffer = storage[i];

  IoResult r = q.recv_batch(batch);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.count, 3u);  // batch full although 5 were queued
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(batch[i].length, 41u + i);
    EXPECT_EQ(batch[i].bytes()[1], i + 1);
    EXPECT_EQ(batch[i].vnet, vnet::VnetHeader{});
  }
  r = q.recv_batch(batch);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.count, 2u);  // the rest: does not wait for a full batch
  EXPECT_EQ(batch[1].bytes()[1], 5);
}

TEST(FdQueueTest, PacketCallsHideTheVnetHeader) {
  SocketPair sp;
  FdQueue q(std::move(sp.ours), kEveryOffload);
  const auto pkt = test_packet(3, 50);
  ASSERT_TRUE(q.write(pkt).ok());
  // An all-zero header, then the packet (built in place: GCC 12 misreports vector::insert here).
  std::vector<std::uint8_t> expected(vnet::kHeaderSize + pkt.size(), 0);
  std::copy(pkt.begin(), pkt.end(), expected.begin() + vnet::kHeaderSize);
  const auto wire = read_raw(sp.peer.get());
  EXPECT_EQ(wire, expected);

  ASSERT_EQ(::write(sp.peer.get(), wire.data(), wire.size()), static_cast<ssize_t>(wire.size()));
  std::array<std::uint8_t, 256> buf{};
  const IoResult r = q.read(buf);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.count, pkt.size());
  EXPECT_EQ(buf[1], 3);
}

TEST(FdQueueTest, VnetReadShorterThanTheHeaderIsAnError) {
  SocketPair sp;
  FdQueue q(std::move(sp.ours), kEveryOffload);
  const auto runt = tbtest::bytes_of({1, 2, 3});
  ASSERT_EQ(::write(sp.peer.get(), runt.data(), runt.size()), 3);
  std::array<std::uint8_t, 256> buf{};
  EXPECT_EQ(q.read(buf).error, EBADMSG);
}

TEST(FdQueueTest, InterruptWakesABlockedReadFromAnotherThread) {
  SocketPair sp;
  FdQueue q(std::move(sp.ours), kPlain);
  auto reader = once_blocked([&] { return read_small(q); });
  q.interrupt();
  const IoResult r = reader.get();
  EXPECT_EQ(r.error, ECANCELED);
  EXPECT_EQ(r.count, 0u);
}

TEST(FdQueueTest, InterruptWakesEveryThreadBlockedOnTheQueue) {
  SocketPair sp;
  FdQueue q(std::move(sp.ours), kPlain);
  std::vector<std::future<IoResult>> readers;
  for (int i = 0; i < 3; ++i) readers.push_back(once_blocked([&] { return read_small(q); }));
  q.interrupt();
  for (auto& r : readers) EXPECT_EQ(r.get().error, ECANCELED);
}

TEST(FdQueueTest, InterruptWakesAWriteBlockedOnAFullQueue) {
  SocketPair sp;
  FdQueue q(std::move(sp.ours), kPlain);
  const auto pkt = test_packet(7, 1000);
  while (::send(q.fd(), pkt.data(), pkt.size(), MSG_DONTWAIT) > 0) {
  }
  auto writer = once_blocked([&] { return q.write(pkt); });
  q.interrupt();
  EXPECT_EQ(writer.get().error, ECANCELED);
}

// An Asio view over a dup of the queue's fd sets O_NONBLOCK on the open file both share: a read
// then still waits for a packet (poll), and interrupt() still ends the wait.
TEST(FdQueueTest, AFdMadeNonBlockingBehindItsBackStillWaitsAndIsInterruptible) {
  SocketPair sp;
  const int peer = sp.peer.get();
  FdQueue q(std::move(sp.ours), kPlain);
  ASSERT_EQ(::fcntl(q.fd(), F_SETFL, O_NONBLOCK), 0);
  auto reader = once_blocked([&] { return read_small(q); });
  const auto pkt = test_packet(3, 64);
  ASSERT_EQ(::write(peer, pkt.data(), pkt.size()), 64);
  EXPECT_EQ(reader.get().count, 64u);
  auto waiting = once_blocked([&] { return read_small(q); });
  q.interrupt();
  EXPECT_EQ(waiting.get().error, ECANCELED);
}

TEST(FdQueueTest, EverythingIsCancelledAfterInterrupt) {
  SocketPair sp;
  FdQueue q(std::move(sp.ours), kPlain);
  const auto pkt = test_packet(1);
  ASSERT_GT(::write(sp.peer.get(), pkt.data(), pkt.size()), 0);  // data waiting: still cancelled
  q.interrupt();
  q.interrupt();  // idempotent
  std::array<std::uint8_t, 256> buf{};
  EXPECT_EQ(q.read(buf).error, ECANCELED);
  std::array<Packet, 1> batch{Packet{.buffer = buf}};
  EXPECT_EQ(q.recv_batch(batch).error, ECANCELED);
  EXPECT_EQ(q.write(pkt).error, ECANCELED);
  const std::array<OutPacket, 1> out{OutPacket{.bytes = pkt}};
  const IoResult s = q.send_batch(out);
  EXPECT_EQ(s.error, ECANCELED);
  EXPECT_EQ(s.count, 0u);
}

TEST(FdQueueTest, ClosedPeerIsReportedAsAnError) {
  SocketPair sp;
  FdQueue q(std::move(sp.ours), kPlain);
  sp.peer.reset();
  std::array<std::uint8_t, 256> buf{};
  EXPECT_EQ(q.read(buf).error, EPIPE);
  std::array<Packet, 1> batch{Packet{.buffer = buf}};
  EXPECT_EQ(q.recv_batch(batch).error, EPIPE);
  const auto pkt = test_packet(1);
  EXPECT_NE(q.write(pkt).error, 0);
}

TEST(FdQueueTest, SendWaitsForRoomInsteadOfFailingWithEagain) {
  SocketPair sp;
  const int peer_fd = sp.peer.get();
  FdQueue q(std::move(sp.ours), kPlain);
  const auto pkt = test_packet(7, 1000);
  // Fill the queue until a non-blocking write would fail.
  ASSERT_EQ(::fcntl(peer_fd, F_SETFL, O_NONBLOCK), 0);
  int queued = 0;
  for (;;) {
    const ssize_t n = ::send(q.fd(), pkt.data(), pkt.size(), MSG_DONTWAIT);
    if (n < 0) {
      ASSERT_EQ(errno, EAGAIN);
      break;
    }
    ++queued;
  }
  ASSERT_GT(queued, 0);
  auto writer = std::async(std::launch::async, [&] { return q.write(pkt); });
  // Draining makes room; the blocked write then completes. Read queued + 1 packets.
  for (int i = 0; i <= queued;) {
    pollfd pfd{peer_fd, POLLIN, 0};
    ASSERT_EQ(::poll(&pfd, 1, -1), 1);
    if (!read_raw(peer_fd).empty()) ++i;
  }
  const IoResult r = writer.get();
  EXPECT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.count, pkt.size());
}

}  // namespace
}  // namespace device

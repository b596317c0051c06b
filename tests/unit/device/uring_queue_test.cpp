#include "device/uring_queue.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "support/blocked_call.h"
#include "support/offload_sets.h"
#include "support/socket_pair.h"

// Helpers in a namespace of their own: the debug preset's unity build may put several device
// test files into one translation unit.
namespace device::uring_test {
namespace {

using tbtest::kEveryOffload;
using tbtest::kPlain;
using tbtest::once_blocked;
using tbtest::read_raw;
using tbtest::SocketPair;
using tbtest::test_packet;

// Storage and slots for a read batch of `n` packets of up to 256 bytes.
struct Batch {
  explicit Batch(std::size_t n) : storage(n), packets(n) {
    for (std::size_t i = 0; i < n; ++i) packets[i].buffer = storage[i];
  }
  std::vector<std::array<std::uint8_t, 256>> storage;
  std::vector<Packet> packets;
};

void send_tagged(int fd, std::uint8_t first, std::uint8_t last) {
  for (std::uint8_t tag = first; tag <= last; ++tag) {
    const auto p = test_packet(tag, 40 + tag);
    ASSERT_GT(::write(fd, p.data(), p.size()), 0);
  }
}

// A batch asks for twice the packets of the last one (at least 2, at most the slots offered):
// five queued packets come as 2, then 3, in the order they were queued, each whole.
TEST(UringQueueTest, RecvBatchAsksForTwiceTheLastBatchAndKeepsTheOrder) {
  SocketPair sp;
  UringQueue q(std::move(sp.ours), kPlain);
  send_tagged(sp.peer.get(), 1, 5);
  Batch b(3);
  std::vector<std::size_t> counts;
  std::vector<std::uint8_t> tags;
  while (tags.size() < 5) {
    const IoResult r = q.recv_batch(b.packets);
    ASSERT_TRUE(r.ok()) << std::strerror(r.error);
    ASSERT_GT(r.count, 0u);
    counts.push_back(r.count);
    for (std::size_t i = 0; i < r.count; ++i) {
      const auto bytes = b.packets[i].bytes();
      ASSERT_EQ(bytes.size(), 40u + bytes[1]);
      EXPECT_EQ(b.packets[i].vnet, vnet::VnetHeader{});
      tags.push_back(bytes[1]);
    }
  }
  EXPECT_EQ(counts, (std::vector<std::size_t>{2, 3}));
  EXPECT_EQ(tags, (std::vector<std::uint8_t>{1, 2, 3, 4, 5}));
}

TEST(UringQueueTest, RecvBatchWaitsForTheFirstPacket) {
  SocketPair sp;
  const int peer = sp.peer.get();
  UringQueue q(std::move(sp.ours), kPlain);
  Batch b(4);
  auto reader = once_blocked([&] { return q.recv_batch(b.packets); });
  send_tagged(peer, 7, 7);
  const IoResult r = reader.get();
  ASSERT_TRUE(r.ok()) << std::strerror(r.error);
  ASSERT_EQ(r.count, 1u);
  EXPECT_EQ(b.packets[0].length, 47u);
  EXPECT_EQ(b.packets[0].bytes()[1], 7);
}

// More packets than the ring has entries go in chunks, still in order.
TEST(UringQueueTest, SendBatchLongerThanTheRingKeepsTheOrder) {
  SocketPair sp;
  const int big = 1 << 20;
  ASSERT_EQ(::setsockopt(sp.peer.get(), SOL_SOCKET, SO_RCVBUF, &big, sizeof big), 0);
  UringQueue q(std::move(sp.ours), kPlain);
  const std::size_t n = 2 * UringQueue::kRingEntries + 5;
  std::vector<std::vector<std::uint8_t>> packets;
  std::vector<OutPacket> out;
  for (std::size_t i = 0; i < n; ++i) packets.push_back(test_packet(static_cast<std::uint8_t>(i), 60));
  for (const auto& p : packets) out.push_back(OutPacket{.bytes = p});
  const IoResult r = q.send_batch(out);
  ASSERT_TRUE(r.ok()) << std::strerror(r.error);
  ASSERT_EQ(r.count, n);
  for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(read_raw(sp.peer.get()), packets[i]) << "packet " << i;
}

// An interrupted read leaves nothing behind: the packet that comes afterwards is still queued,
// not taken by a request that outlived the call.
TEST(UringQueueTest, InterruptEndsAWaitingRecvBatchAndCancelsItsReads) {
  SocketPair sp;
  const int peer = sp.peer.get();
  UringQueue q(std::move(sp.ours), kEveryOffload);
  Batch b(4);
  auto reader = once_blocked([&] { return q.recv_batch(b.packets); });
  q.interrupt();
  const IoResult r = reader.get();
  EXPECT_EQ(r.error, ECANCELED);
  EXPECT_EQ(r.count, 0u);
  const auto pkt = test_packet(5, 80);
  ASSERT_EQ(::write(peer, pkt.data(), pkt.size()), 80);
  pollfd p{q.fd(), POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 1000), 1);
  std::array<std::uint8_t, 256> buf{};
  EXPECT_EQ(::recv(q.fd(), buf.data(), buf.size(), MSG_DONTWAIT), 80);
}

// The ring belongs to the thread that set it up; a call from another thread gets its own.
TEST(UringQueueTest, CallsFromAnotherThreadWork) {
  SocketPair sp;
  const int peer = sp.peer.get();
  UringQueue q(std::move(sp.ours), kPlain);
  Batch b(2);
  send_tagged(peer, 1, 1);
  ASSERT_EQ(q.recv_batch(b.packets).count, 1u);
  send_tagged(peer, 2, 2);
  const IoResult r = std::async(std::launch::async, [&] { return q.recv_batch(b.packets); }).get();
  ASSERT_TRUE(r.ok()) << std::strerror(r.error);
  ASSERT_EQ(r.count, 1u);
  EXPECT_EQ(b.packets[0].bytes()[1], 2);
}

}  // namespace
}  // namespace device::uring_test

#include "device/uring_queue.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
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

#include "harness/command.h"
#include "harness/proc_parse.h"
#include "support/socket_pair.h"

// A namespace of its own: the debug preset's unity build may put this file and fd_queue_test.cpp,
// which has helpers of the same names, into one translation unit.
namespace device::uring_test {
namespace {

using tbtest::read_raw;
using tbtest::SocketPair;
using tbtest::test_packet;

const Offloads kPlain{};
const Offloads kEveryOffload{true, true, true, true, true};

// Runs `call` on another thread and returns once that thread sleeps in the kernel (its
// io_uring_enter waits), so an interrupt or a packet reaches a call that is really waiting.
template <class Call>
std::future<IoResult> once_blocked(Call call) {
  std::promise<pid_t> tid;
  auto started = tid.get_future();
  auto result = std::async(std::launch::async, [call, tid = std::move(tid)]() mutable {
    tid.set_value(static_cast<pid_t>(::syscall(SYS_gettid)));
    return call();
  });
  const std::string path = "/proc/self/task/" + std::to_string(started.get()) + "/stat";
  for (;;) {
    const auto stat = harness::parse_pid_stat(harness::read_file(path));
    if (!stat || stat->state == 'S') break;
    std::this_thread::yield();
  }
  return result;
}

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

TEST(UringQueueTest, VnetHeaderTravelsInFrontOfEveryPacket) {
  SocketPair sp;
  UringQueue q(std::move(sp.ours), kEveryOffload);
  const vnet::VnetHeader gso{.flags = vnet::kFlagNeedsCsum,
                             .gso_type = vnet::kGsoTcpV4,
                             .hdr_len = 52,
                             .gso_size = 1448,
                             .csum_start = 20,
                             .csum_offset = 16};
  auto wire = tbtest::bytes_of({0x01, 0x01, 52, 0, 0xa8, 0x05, 20, 0, 16, 0});
  const auto pkt = test_packet(9, 64);
  wire.insert(wire.end(), pkt.begin(), pkt.end());
  ASSERT_EQ(::write(sp.peer.get(), wire.data(), wire.size()), static_cast<ssize_t>(wire.size()));

  Batch b(1);
  const IoResult r = q.recv_batch(b.packets);
  ASSERT_TRUE(r.ok()) << std::strerror(r.error);
  ASSERT_EQ(r.count, 1u);
  EXPECT_EQ(b.packets[0].length, 64u);
  EXPECT_EQ(b.packets[0].vnet, gso);
  EXPECT_TRUE(std::equal(pkt.begin(), pkt.end(), b.packets[0].bytes().begin()));

  const std::array<OutPacket, 1> out{OutPacket{.bytes = pkt, .vnet = gso}};
  const IoResult w = q.send_batch(out);
  ASSERT_TRUE(w.ok()) << std::strerror(w.error);
  EXPECT_EQ(w.count, 1u);
  EXPECT_EQ(read_raw(sp.peer.get()), wire);
}

TEST(UringQueueTest, VnetReadShorterThanTheHeaderIsAnError) {
  SocketPair sp;
  UringQueue q(std::move(sp.ours), kEveryOffload);
  const auto runt = tbtest::bytes_of({1, 2, 3});
  ASSERT_EQ(::write(sp.peer.get(), runt.data(), runt.size()), 3);
  Batch b(2);
  const IoResult r = q.recv_batch(b.packets);
  EXPECT_EQ(r.count, 0u);
  EXPECT_EQ(r.error, EBADMSG);
}

// A packet in pieces leaves as one packet; one with more pieces than a write gathers is refused
// (EMSGSIZE) after the packets before it were written, and nothing after it is.
TEST(UringQueueTest, APacketInPiecesIsWrittenAsOneAndTooManyPiecesAreRefused) {
  for (const auto& offloads : {kEveryOffload, kPlain}) {
    SCOPED_TRACE(offloads.vnet_hdr ? "vnet" : "plain");
    SocketPair sp;
    UringQueue q(std::move(sp.ours), offloads);
    const auto pkt = test_packet(9, 300);
    const std::span<const std::uint8_t> all(pkt);
    const std::array<std::span<const std::uint8_t>, 2> more{all.subspan(40, 200), all.subspan(240)};
    const std::vector<std::span<const std::uint8_t>> too_many(kMaxOutPieces + 1, all.first(1));
    const std::array<OutPacket, 3> out{OutPacket{.bytes = all.first(40), .vnet = {}, .more = more},
                                       OutPacket{.bytes = all.first(1), .vnet = {}, .more = too_many},
                                       OutPacket{.bytes = pkt}};
    const IoResult w = q.send_batch(out);
    EXPECT_EQ(w.count, 1u);
    EXPECT_EQ(w.error, EMSGSIZE);
    const auto raw = read_raw(sp.peer.get());
    const std::size_t header = offloads.vnet_hdr ? vnet::kHeaderSize : 0;
    ASSERT_EQ(raw.size(), header + pkt.size());
    EXPECT_TRUE(std::equal(pkt.begin(), pkt.end(), raw.begin() + static_cast<std::ptrdiff_t>(header)));
    std::array<std::uint8_t, 16> rest{};
    EXPECT_LT(::recv(sp.peer.get(), rest.data(), rest.size(), MSG_DONTWAIT), 0) << "a packet after the refused one";
  }
}

// The writes of a batch are linked: the one the kernel refuses is reported and the rest are not
// written (a send buffer smaller than the third packet stands in for a TUN's EINVAL).
TEST(UringQueueTest, SendBatchStopsAtTheFirstRefusedPacket) {
  SocketPair sp;
  const int small = 4096;
  ASSERT_EQ(::setsockopt(sp.ours.get(), SOL_SOCKET, SO_SNDBUF, &small, sizeof small), 0);
  UringQueue q(std::move(sp.ours), kPlain);
  const auto a = test_packet(1, 100);
  const auto b = test_packet(2, 100);
  const auto huge = test_packet(3, 200000);
  const auto d = test_packet(4, 100);
  const std::array<OutPacket, 4> out{OutPacket{.bytes = a}, OutPacket{.bytes = b}, OutPacket{.bytes = huge},
                                     OutPacket{.bytes = d}};
  const IoResult r = q.send_batch(out);
  EXPECT_EQ(r.count, 2u);
  EXPECT_EQ(r.error, EMSGSIZE);
  EXPECT_EQ(read_raw(sp.peer.get()), a);
  EXPECT_EQ(read_raw(sp.peer.get()), b);
  std::array<std::uint8_t, 16> rest{};
  EXPECT_LT(::recv(sp.peer.get(), rest.data(), rest.size(), MSG_DONTWAIT), 0) << "d was written after the refusal";
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

TEST(UringQueueTest, InterruptEndsASendWaitingForRoom) {
  SocketPair sp;
  UringQueue q(std::move(sp.ours), kPlain);
  const auto pkt = test_packet(7, 1000);
  while (::send(q.fd(), pkt.data(), pkt.size(), MSG_DONTWAIT) > 0) {
  }
  const std::array<OutPacket, 2> out{OutPacket{.bytes = pkt}, OutPacket{.bytes = pkt}};
  auto writer = once_blocked([&] { return q.send_batch(out); });
  q.interrupt();
  const IoResult r = writer.get();
  EXPECT_EQ(r.error, ECANCELED);
  EXPECT_EQ(r.count, 0u);
}

TEST(UringQueueTest, ClosedPeerIsReportedAsAnError) {
  SocketPair sp;
  UringQueue q(std::move(sp.ours), kPlain);
  sp.peer.reset();
  Batch b(2);
  EXPECT_EQ(q.recv_batch(b.packets).error, EPIPE);
  const auto pkt = test_packet(1);
  const std::array<OutPacket, 1> out{OutPacket{.bytes = pkt}};
  const IoResult w = q.send_batch(out);
  EXPECT_EQ(w.count, 0u);
  EXPECT_NE(w.error, 0);
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

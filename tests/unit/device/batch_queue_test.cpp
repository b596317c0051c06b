// The BatchDevice contract as both fd-backed queues keep it: FdQueue (a system call per packet)
// and UringQueue (one io_uring_enter per batch), over socket pairs, so without root. What only
// one of them does is tested in its own file.
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <vector>

#include <gtest/gtest.h>

#include "device/fd_queue.h"
#include "device/uring_queue.h"
#include "support/blocked_call.h"
#include "support/offload_sets.h"
#include "support/socket_pair.h"

namespace device::batch_queue_test {
namespace {

using tbtest::kEveryOffload;
using tbtest::kPlain;
using tbtest::read_raw;
using tbtest::SocketPair;
using tbtest::test_packet;

template <class Queue>
class BatchQueueTest : public ::testing::Test {};

using Queues = ::testing::Types<FdQueue, UringQueue>;
class QueueNames {
 public:
  template <class T>
  static std::string GetName(int) {
    return std::is_same_v<T, FdQueue> ? "FdQueue" : "UringQueue";
  }
};
TYPED_TEST_SUITE(BatchQueueTest, Queues, QueueNames);

// Nothing more is queued on the peer's side of `fd`.
bool nothing_queued(int fd) {
  std::array<std::uint8_t, 16> rest{};
  return ::recv(fd, rest.data(), rest.size(), MSG_DONTWAIT) < 0;
}

TYPED_TEST(BatchQueueTest, VnetHeaderTravelsInFrontOfEveryPacket) {
  SocketPair sp;
  TypeParam q(std::move(sp.ours), kEveryOffload);
  const vnet::VnetHeader gso{.flags = vnet::kFlagNeedsCsum,
                             .gso_type = vnet::kGsoTcpV4,
                             .hdr_len = 52,
                             .gso_size = 1448,
                             .csum_start = 20,
                             .csum_offset = 16};
  // Kernel -> program: header bytes little-endian, then the packet.
  auto wire = tbtest::bytes_of({0x01, 0x01, 52, 0, 0xa8, 0x05, 20, 0, 16, 0});
  const auto pkt = test_packet(9, 64);
  wire.insert(wire.end(), pkt.begin(), pkt.end());
  ASSERT_EQ(::write(sp.peer.get(), wire.data(), wire.size()), static_cast<ssize_t>(wire.size()));

  std::array<std::uint8_t, 256> buf{};
  std::array<Packet, 1> in{Packet{.buffer = buf}};
  const IoResult r = q.recv_batch(in);
  ASSERT_TRUE(r.ok()) << std::strerror(r.error);
  ASSERT_EQ(r.count, 1u);
  EXPECT_EQ(in[0].length, 64u);
  EXPECT_EQ(in[0].vnet, gso);
  EXPECT_TRUE(std::equal(pkt.begin(), pkt.end(), in[0].bytes().begin()));

  // Program -> kernel: the same bytes back.
  const std::array<OutPacket, 1> out{OutPacket{.bytes = pkt, .vnet = gso}};
  const IoResult w = q.send_batch(out);
  ASSERT_TRUE(w.ok()) << std::strerror(w.error);
  EXPECT_EQ(w.count, 1u);
  EXPECT_EQ(read_raw(sp.peer.get()), wire);
}

TYPED_TEST(BatchQueueTest, VnetReadShorterThanTheHeaderIsAnError) {
  SocketPair sp;
  TypeParam q(std::move(sp.ours), kEveryOffload);
  const auto runt = tbtest::bytes_of({1, 2, 3});
  ASSERT_EQ(::write(sp.peer.get(), runt.data(), runt.size()), 3);
  std::array<std::uint8_t, 256> buf{};
  std::array<Packet, 1> in{Packet{.buffer = buf}};
  const IoResult r = q.recv_batch(in);
  EXPECT_EQ(r.count, 0u);
  EXPECT_EQ(r.error, EBADMSG);
}

// A packet in pieces (bytes, then `more`) leaves as one packet, header first, with or without
// the vnet header; one with more pieces than a write gathers is refused (EMSGSIZE) after the
// packets before it were written, and nothing after it is.
TYPED_TEST(BatchQueueTest, APacketInPiecesIsWrittenAsOneAndTooManyPiecesAreRefused) {
  for (const auto& offloads : {kEveryOffload, kPlain}) {
    SCOPED_TRACE(offloads.vnet_hdr ? "vnet" : "plain");
    SocketPair sp;
    TypeParam q(std::move(sp.ours), offloads);
    const auto pkt = test_packet(9, 300);
    const std::span<const std::uint8_t> all(pkt);
    const std::array<std::span<const std::uint8_t>, 2> more{all.subspan(40, 200), all.subspan(240)};
    const std::vector<std::span<const std::uint8_t>> too_many(kMaxOutPieces + 1, all.first(1));
    const std::array<OutPacket, 3> out{OutPacket{.bytes = all.first(40), .vnet = {}, .more = more},
                                       OutPacket{.bytes = all.first(1), .vnet = {}, .more = too_many},
                                       OutPacket{.bytes = pkt}};
    EXPECT_EQ(out[0].size(), pkt.size());
    const IoResult w = q.send_batch(out);
    EXPECT_EQ(w.count, 1u);
    EXPECT_EQ(w.error, EMSGSIZE);
    const auto raw = read_raw(sp.peer.get());
    const std::size_t header = offloads.vnet_hdr ? vnet::kHeaderSize : 0;  // all zero: no offload asked
    ASSERT_EQ(raw.size(), header + pkt.size());
    EXPECT_TRUE(std::all_of(raw.begin(), raw.begin() + static_cast<std::ptrdiff_t>(header),
                            [](std::uint8_t b) { return b == 0; }));
    EXPECT_TRUE(std::equal(pkt.begin(), pkt.end(), raw.begin() + static_cast<std::ptrdiff_t>(header)));
    EXPECT_TRUE(nothing_queued(sp.peer.get())) << "a packet after the refused one was written";
  }
}

// The packet the kernel refuses is reported, not retried, and the rest are not written (a send
// buffer smaller than the third packet: EMSGSIZE, which stands in for a TUN's EINVAL).
TYPED_TEST(BatchQueueTest, SendBatchStopsAtTheFirstRefusedPacket) {
  SocketPair sp;
  const int small = 4096;
  ASSERT_EQ(::setsockopt(sp.ours.get(), SOL_SOCKET, SO_SNDBUF, &small, sizeof small), 0);
  TypeParam q(std::move(sp.ours), kPlain);
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
  EXPECT_TRUE(nothing_queued(sp.peer.get())) << "d was written after the refusal";
}

TYPED_TEST(BatchQueueTest, InterruptEndsAWaitingRecvBatch) {
  SocketPair sp;
  TypeParam q(std::move(sp.ours), kEveryOffload);
  auto reader = tbtest::once_blocked([&] {
    std::array<std::uint8_t, 256> buf{};
    std::array<Packet, 1> batch{Packet{.buffer = buf}};
    return q.recv_batch(batch);
  });
  q.interrupt();
  const IoResult r = reader.get();
  EXPECT_EQ(r.error, ECANCELED);
  EXPECT_EQ(r.count, 0u);
}

TYPED_TEST(BatchQueueTest, InterruptEndsASendBatchWaitingForRoom) {
  SocketPair sp;
  TypeParam q(std::move(sp.ours), kPlain);
  const auto pkt = test_packet(7, 1000);
  while (::send(q.fd(), pkt.data(), pkt.size(), MSG_DONTWAIT) > 0) {
  }
  const std::array<OutPacket, 2> out{OutPacket{.bytes = pkt}, OutPacket{.bytes = pkt}};
  auto writer = tbtest::once_blocked([&] { return q.send_batch(out); });
  q.interrupt();
  const IoResult r = writer.get();
  EXPECT_EQ(r.error, ECANCELED);
  EXPECT_EQ(r.count, 0u);
}

TYPED_TEST(BatchQueueTest, ClosedPeerIsReportedAsAnError) {
  SocketPair sp;
  TypeParam q(std::move(sp.ours), kPlain);
  sp.peer.reset();
  std::array<std::uint8_t, 256> buf{};
  std::array<Packet, 1> batch{Packet{.buffer = buf}};
  EXPECT_EQ(q.recv_batch(batch).error, EPIPE);
  const auto pkt = test_packet(1);
  const std::array<OutPacket, 1> out{OutPacket{.bytes = pkt}};
  const IoResult w = q.send_batch(out);
  EXPECT_EQ(w.count, 0u);
  EXPECT_NE(w.error, 0);
}

// A packet read before the read that fails is returned with the failure, not dropped.
TYPED_TEST(BatchQueueTest, APacketReadBeforeAnErrorComesWithIt) {
  SocketPair sp;
  TypeParam q(std::move(sp.ours), kPlain);
  const auto pkt = test_packet(6, 70);
  ASSERT_EQ(::write(sp.peer.get(), pkt.data(), pkt.size()), 70);
  sp.peer.reset();
  std::array<std::array<std::uint8_t, 256>, 2> storage{};
  std::array<Packet, 2> batch{Packet{.buffer = storage[0]}, Packet{.buffer = storage[1]}};
  const IoResult r = q.recv_batch(batch);
  ASSERT_EQ(r.count, 1u);
  EXPECT_EQ(r.error, EPIPE);
  ASSERT_EQ(batch[0].length, 70u);
  EXPECT_TRUE(std::equal(pkt.begin(), pkt.end(), batch[0].bytes().begin()));
}

}  // namespace
}  // namespace device::batch_queue_test

// Single-step behaviours against the GMock devices.
#include <cerrno>
#include <condition_variable>
#include <mutex>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "forward/modes/sync_batch_forwarder.h"
#include "forward/modes/sync_forwarder.h"
#include "forward/registry.h"
#include "support/mock_devices.h"

namespace {

using device::IoResult;
using testing::_;
using testing::AnyNumber;
using testing::ElementsAreArray;
using testing::Invoke;
using testing::Return;

// Set by interrupt(); a mocked blocking read waits on it, as a real one would.
class Gate {
 public:
  void open() {
    std::lock_guard l(mu_);
    open_ = true;
    cv_.notify_all();
  }
  void wait() {
    std::unique_lock l(mu_);
    cv_.wait(l, [&] { return open_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

forward::Setup packet_setup(device::PacketDevice& a, device::PacketDevice& b) {
  forward::Setup s;
  s.first.name = "tun11";
  s.second.name = "tun22";
  s.first.packet = {&a};
  s.second.packet = {&b};
  return s;
}

TEST(SyncForwarderMock, ReadsThenWritesTheSameBytes) {
  tbtest::MockPacketDevice a, b;
  Gate interrupted;
  const std::vector<std::uint8_t> pkt{0x45, 0, 0, 20, 1, 2, 3, 4, 64, 17, 0, 0, 10, 0, 1, 1, 10, 0, 2, 1};
  EXPECT_CALL(a, interrupt()).WillRepeatedly(Invoke([&] { interrupted.open(); }));
  EXPECT_CALL(b, interrupt()).WillRepeatedly(Invoke([&] { interrupted.open(); }));
  forward::SyncForwarder f(packet_setup(a, b), *forward::find_mode("sync-normal-syscall"));
  // Declared first, so it only answers once the one-packet read below has retired.
  EXPECT_CALL(a, read(_)).Times(AnyNumber()).WillRepeatedly(Return(IoResult{0, ECANCELED}));
  testing::Sequence seq;
  EXPECT_CALL(a, read(_))
      .InSequence(seq)
      .WillOnce(Invoke([&](std::span<std::uint8_t> buf) {
        std::copy(pkt.begin(), pkt.end(), buf.begin());
        return IoResult{pkt.size(), 0};
      }))
      .RetiresOnSaturation();
  EXPECT_CALL(b, write(ElementsAreArray(pkt))).InSequence(seq).WillOnce(Invoke([&](std::span<const std::uint8_t> p) {
    f.stop();  // one packet is enough
    return IoResult{p.size(), 0};
  }));
  EXPECT_CALL(b, read(_)).WillRepeatedly(Invoke([&](std::span<std::uint8_t>) {
    interrupted.wait();
    return IoResult{0, ECANCELED};
  }));
  const auto st = f.run();
  EXPECT_TRUE(st.ok) << st.error;
  EXPECT_EQ(f.counters().snapshot(0).written, 1u);
  EXPECT_EQ(f.counters().snapshot(0).bytes, pkt.size());
}

TEST(SyncForwarderMock, ReadEioStopsWithTheDeviceName) {
  tbtest::MockPacketDevice a, b;
  Gate interrupted;
  EXPECT_CALL(a, interrupt()).WillRepeatedly(Invoke([&] { interrupted.open(); }));
  EXPECT_CALL(b, interrupt()).WillRepeatedly(Invoke([&] { interrupted.open(); }));
  EXPECT_CALL(a, read(_)).WillOnce(Return(IoResult{0, EIO}));
  EXPECT_CALL(b, read(_)).WillRepeatedly(Invoke([&](std::span<std::uint8_t>) {
    interrupted.wait();
    return IoResult{0, ECANCELED};
  }));
  EXPECT_CALL(b, write(_)).Times(0);
  forward::SyncForwarder f(packet_setup(a, b), *forward::find_mode("sync-normal-syscall"));
  const auto st = f.run();
  EXPECT_FALSE(st.ok);
  EXPECT_EQ(st.error.rfind("tun11: read failed", 0), 0u) << st.error;
}

TEST(SyncBatchForwarderMock, WriteRefusalIsCountedAndReadingGoesOn) {
  tbtest::MockBatchDevice a, b;
  Gate interrupted;
  EXPECT_CALL(a, offloads()).WillRepeatedly(Return(device::Offloads{}));
  EXPECT_CALL(b, offloads()).WillRepeatedly(Return(device::Offloads{}));
  EXPECT_CALL(a, interrupt()).WillRepeatedly(Invoke([&] { interrupted.open(); }));
  EXPECT_CALL(b, interrupt()).WillRepeatedly(Invoke([&] { interrupted.open(); }));
  forward::Setup s;
  s.first.name = "tun11";
  s.second.name = "tun22";
  s.first.batch = {&a};
  s.second.batch = {&b};
  forward::SyncBatchForwarder f(s, *forward::find_mode("sync-gso"));
  const std::vector<std::uint8_t> pkt{0x60, 0,  0,  0,  0,  0,  59, 64, 1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12,
                                      13,   14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
  int reads = 0;
  EXPECT_CALL(a, recv_batch(_)).WillRepeatedly(Invoke([&](std::span<device::Packet> p) {
    if (++reads > 2) {
      interrupted.wait();
      return IoResult{0, ECANCELED};
    }
    std::copy(pkt.begin(), pkt.end(), p[0].buffer.begin());
    p[0].length = pkt.size();
    return IoResult{1, 0};
  }));
  int writes = 0;
  EXPECT_CALL(b, send_batch(_)).Times(2).WillRepeatedly(Invoke([&](std::span<const device::OutPacket> p) {
    EXPECT_TRUE(std::equal(p[0].bytes.begin(), p[0].bytes.end(), pkt.begin(), pkt.end()));
    if (++writes == 2) f.stop();
    return writes == 1 ? IoResult{0, ENOBUFS} : IoResult{1, 0};
  }));
  EXPECT_CALL(b, recv_batch(_)).WillRepeatedly(Invoke([&](std::span<device::Packet>) {
    interrupted.wait();
    return IoResult{0, ECANCELED};
  }));
  EXPECT_TRUE(f.run().ok);
  const auto t = f.counters().snapshot(0);
  EXPECT_EQ(t.packets, 2u);
  EXPECT_EQ(t.written, 1u);
  EXPECT_EQ(t.dropped(forward::DropReason::kWriteQueueFull), 1u);
}

}  // namespace

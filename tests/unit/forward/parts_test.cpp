// The building blocks: counters, buffer pool, channels, the batch writer.
#include <cerrno>
#include <future>
#include <thread>

#include <gtest/gtest.h>

#include "forward/channels/async_channel.h"
#include "forward/channels/buffer_pool.h"
#include "forward/channels/channel.h"
#include "forward/channels/frame.h"
#include "forward/counters/counters.h"
#include "forward/stages/batch_writer.h"
#include "forward/stages/recv_slots.h"
#include "forward/stages/segment_arena.h"
#include "offload/gro_table.h"
#include "support/fake_rig.h"

namespace {

using forward::DropReason;

TEST(Counters, FlushAddsAndFormatsPerDirection) {
  forward::Counters c("tun11", "tun22");
  forward::Tally t;
  t.packets = 5;
  t.written = 4;
  t.bytes = 456;
  t.batches = 2;
  t.drop(DropReason::kWriteQueueFull);
  c.direction(0).flush(t);
  EXPECT_TRUE(t.empty()) << "flush clears the local tally";
  const auto s = c.snapshot(0);
  EXPECT_EQ(s.packets, 5u);
  EXPECT_EQ(s.dropped(DropReason::kWriteQueueFull), 1u);
  EXPECT_TRUE(s.balanced());
  const auto text = c.format();
  EXPECT_NE(text.find("tun11→tun22: packets 5 written 4 bytes 456 batches 2 drops 1 (write queue full"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("tun22→tun11: packets 0"), std::string::npos) << text;
}

TEST(DropReason, MirrorsOffloadErrorsAndMapsErrno) {
  EXPECT_STREQ(forward::to_string(forward::drop_reason(offload::Error::kIpv4Fragment)),
               offload::to_string(offload::Error::kIpv4Fragment));
  EXPECT_EQ(forward::write_drop_reason(EINVAL), DropReason::kWriteInvalid);
  EXPECT_EQ(forward::write_drop_reason(ENOBUFS), DropReason::kWriteQueueFull);
  EXPECT_EQ(forward::write_drop_reason(EAGAIN), DropReason::kWriteQueueFull);
  EXPECT_EQ(forward::write_drop_reason(EPERM), DropReason::kWriteOther);
}

TEST(BufferPool, RecyclesWithoutAllocating) {
  forward::BufferPool pool(4, 100);
  EXPECT_EQ(pool.allocations(), 4u);
  std::vector<forward::BufferPool::Handle> held;
  held.reserve(4);
  for (int i = 0; i < 4; ++i) held.push_back(*pool.acquire());
  EXPECT_FALSE(pool.acquire().has_value()) << "the pool never grows";
  for (auto h : held) {
    EXPECT_EQ(pool.buffer(h).size(), 100u);
    pool.release(h);
  }
  for (int i = 0; i < 20; ++i) pool.release(*pool.acquire());
  EXPECT_EQ(pool.acquisitions(), 24u);
  EXPECT_EQ(pool.allocations(), 4u);
  EXPECT_EQ(pool.in_use(), 0u);
}

TEST(BufferPool, EveryBufferStartsOnACacheLineOfItsOwn) {
  // 1756 bytes (an MTU-1500 segment plus headroom) is not a multiple of 64: the stride rounds up.
  forward::BufferPool pool(5, 1756);
  EXPECT_EQ(pool.stride(), 1792u);
  std::vector<std::span<std::uint8_t>> buffers;
  for (int i = 0; i < 5; ++i) buffers.push_back(pool.buffer(*pool.acquire()));
  for (const auto& b : buffers) {
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(b.data()) % forward::BufferPool::kAlignment, 0u);
    EXPECT_EQ(b.size(), 1756u);
  }
  // No two share a byte, nor a cache line.
  for (std::size_t i = 0; i < buffers.size(); ++i)
    for (std::size_t k = i + 1; k < buffers.size(); ++k) {
      const auto a = reinterpret_cast<std::uintptr_t>(buffers[i].data());
      const auto b = reinterpret_cast<std::uintptr_t>(buffers[k].data());
      const auto distance = a > b ? a - b : b - a;
      EXPECT_GE(distance, pool.stride()) << i << " and " << k;
    }
}

TEST(RecvSlots, EverySlotStartsOnAPageOfItsOwn) {
  // 65535 bytes a slot: at that stride every other slot started at an odd address.
  forward::RecvSlots slots(4, 65535);
  EXPECT_EQ(slots.stride(), 65536u);
  const auto packets = slots.reset();
  ASSERT_EQ(packets.size(), 4u);
  for (std::size_t i = 0; i < packets.size(); ++i) {
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(packets[i].buffer.data()) % forward::RecvSlots::kAlignment, 0u) << i;
    EXPECT_EQ(packets[i].buffer.size(), 65535u);
    if (i > 0) {
      EXPECT_EQ(packets[i].buffer.data() - packets[i - 1].buffer.data(), static_cast<std::ptrdiff_t>(slots.stride()));
    }
  }
}

TEST(FrameStore, HeapFramesAreSizedToThePacketAndBothStoresRefuseOversizedOnes) {
  forward::HeapFrameStore heap(1756);
  forward::PoolFrameStore pool(2, 1756);
  for (forward::FrameStore* store :
       {static_cast<forward::FrameStore*>(&heap), static_cast<forward::FrameStore*>(&pool)}) {
    EXPECT_FALSE(store->acquire(1757).has_value()) << "larger than frame_size()";
    auto f = store->acquire(52);
    ASSERT_TRUE(f.has_value());
    EXPECT_EQ(f->length, 0u);
    EXPECT_EQ(f->capacity, store == &heap ? 52u : 1756u) << "heap frames hold just the packet; pool buffers are fixed";
    store->release(*f);
  }
  EXPECT_EQ(pool.pool().in_use(), 0u);
}

TEST(Channel, CarriesItemsInOrderAcrossThreadsAndBlocksWhenFull) {
  forward::Channel<int> ch(8);
  constexpr int kN = 10000;
  auto consumer = std::async(std::launch::async, [&] {
    std::vector<int> got;
    int buf[16];
    while (got.size() < kN) {
      const auto n = ch.pop_some(buf);
      if (n == 0) break;
      got.insert(got.end(), buf, buf + n);
    }
    return got;
  });
  for (int i = 0; i < kN; ++i) ASSERT_TRUE(ch.push(i));  // capacity 8: push must wait for the consumer
  const auto got = consumer.get();
  ASSERT_EQ(got.size(), static_cast<std::size_t>(kN));
  for (int i = 0; i < kN; ++i) ASSERT_EQ(got[i], i);
}

TEST(Channel, CloseWakesABlockedConsumerAndDrainReturnsLeftovers) {
  forward::Channel<int> ch(4);
  auto consumer = std::async(std::launch::async, [&] {
    int buf[4];
    return ch.pop_some(buf);
  });
  ch.close();
  EXPECT_EQ(consumer.get(), 0u);
  EXPECT_FALSE(ch.push(1));
  forward::Channel<int> ch2(4);
  ch2.push(1);
  ch2.push(2);
  ch2.close();
  int sum = 0;
  EXPECT_EQ(ch2.drain([&](int v) { sum += v; }), 2u);
  EXPECT_EQ(sum, 3);
}

TEST(AsyncChannel, WaitersAreWokenThroughTheExecutor) {
  boost::asio::io_context io;
  forward::AsyncChannel<int> ch(io.get_executor(), 2);
  std::vector<int> got;
  std::function<void(bool)> on_item = [&](bool open) {
    int v;
    while (ch.try_pop(v)) got.push_back(v);
    if (open && got.size() < 5) ch.wait_for_item(on_item);
  };
  ch.wait_for_item(on_item);
  int next = 0;
  std::function<void(bool)> pump = [&](bool open) {
    while (open && next < 5 && ch.try_push(next)) ++next;
    if (open && next < 5) ch.wait_for_room(pump);
  };
  pump(true);
  io.run();
  EXPECT_EQ(got, (std::vector<int>{0, 1, 2, 3, 4}));
}

// Four TCP segments of one flow and the GSO super-packet GRO makes of them.
struct FlowAndSuperPacket {
  std::vector<std::vector<std::uint8_t>> pkts;
  vnet::VnetHeader header;
  std::vector<std::uint8_t> super;
};

FlowAndSuperPacket flow_and_super_packet() {
  FlowAndSuperPacket f;
  f.pkts = tbtest::flow_packets(tbtest::flow_spec(4, packet::kProtoTcp, 1), 4, 1000, 1);
  std::vector<std::span<const std::uint8_t>> views(f.pkts.begin(), f.pkts.end());
  offload::GroTable gro;
  const auto merged = gro.coalesce(views);
  if (merged.size() != 1 || !merged[0].header.is_gso()) {
    ADD_FAILURE() << "the four segments did not merge into one GSO packet";
    return f;
  }
  f.header = merged[0].header;
  f.super.assign(merged[0].bytes.begin(), merged[0].bytes.end());
  return f;
}

// Only checksums the split computed are flagged for GroTable to trust; copied packets are not.
TEST(SegmentArena, FlagsChecksumsTheSplitComputedOnly) {
  const auto [pkts, header, super] = flow_and_super_packet();
  ASSERT_FALSE(super.empty());

  forward::SegmentArena arena(16, 2000);
  forward::Tally t;
  ASSERT_EQ(arena.add(header, super, true, t), forward::SplitOutcome::kDone);
  ASSERT_EQ(arena.add(vnet::VnetHeader{}, pkts[0], true, t), forward::SplitOutcome::kDone);
  ASSERT_EQ(arena.add(vnet::VnetHeader{}, pkts[1], false, t), forward::SplitOutcome::kDone);
  ASSERT_EQ(arena.packets().size(), 6u);
  const std::vector<std::uint8_t> want{1, 1, 1, 1, 0, 0};
  EXPECT_EQ(std::vector<std::uint8_t>(arena.checksums_ok().begin(), arena.checksums_ok().end()), want);
  for (std::size_t i = 0; i < 4; ++i)
    EXPECT_TRUE(std::equal(arena.packets()[i].begin(), arena.packets()[i].end(), pkts[i].begin(), pkts[i].end()));
  arena.clear();
  EXPECT_TRUE(arena.checksums_ok().empty());
}

// The writer's one pending GSO write of `pkts` is refused with EINVAL: it must be split and its
// packets sent one by one, whole, each once, and the tally balance.
forward::Tally refuse_with_einval(forward::BatchWriter& w, const std::vector<std::vector<std::uint8_t>>& pkts) {
  forward::Tally t;
  t.packets = pkts.size();
  w.on_sent({0, EINVAL}, t);
  EXPECT_EQ(t.gso_fallbacks, 1u);
  EXPECT_EQ(w.pending().size(), pkts.size());
  for (std::size_t i = 0; i < pkts.size() && !w.done(); ++i) {
    EXPECT_TRUE(std::equal(w.pending()[0].bytes.begin(), w.pending()[0].bytes.end(), pkts[i].begin(), pkts[i].end()));
    EXPECT_TRUE(w.pending()[0].more.empty());
    w.on_sent({1, 0}, t);
  }
  EXPECT_TRUE(w.done());
  EXPECT_EQ(t.written, pkts.size());
  EXPECT_TRUE(t.balanced());
  return t;
}

// By reference, the arena keeps a GSO packet's segments as headers in its slots and payload in
// the packet it was given; packets without GSO are copied whole. Either way each segment is the
// packet the copying split makes.
TEST(SegmentArena, ByReferenceKeepsPayloadWhereItWasRead) {
  const auto [pkts, header, super] = flow_and_super_packet();
  ASSERT_FALSE(super.empty());

  forward::SegmentArena arena(16, 2000);
  forward::Tally t;
  ASSERT_EQ(arena.add(header, super, true, t, offload::SegmentChecksum::kComplete, forward::Payload::kByReference),
            forward::SplitOutcome::kDone);
  ASSERT_EQ(arena.add(vnet::VnetHeader{}, pkts[0], true, t, offload::SegmentChecksum::kComplete,
                      forward::Payload::kByReference),
            forward::SplitOutcome::kDone);
  const auto segs = arena.segments();
  ASSERT_EQ(segs.size(), 5u);
  for (std::size_t i = 0; i < 5; ++i) {
    SCOPED_TRACE("segment " + std::to_string(i));
    const auto& want = pkts[i % 4];
    std::vector<std::uint8_t> got(segs[i].head.begin(), segs[i].head.end());
    got.insert(got.end(), segs[i].tail.begin(), segs[i].tail.end());
    EXPECT_EQ(got, want);
    if (i < 4) {
      EXPECT_EQ(segs[i].head.size(), std::size_t{header.hdr_len});
      EXPECT_GE(segs[i].tail.data(), super.data());
      EXPECT_LE(segs[i].tail.data() + segs[i].tail.size(), super.data() + super.size());
    } else {
      EXPECT_TRUE(segs[i].tail.empty()) << "a packet without GSO is copied whole";
    }
  }
}

// Segments written by a coalescing writer: one gathered write whose pieces are the segments'
// payload; refused with EINVAL, it is made whole and split into the same packets as ever.
TEST(BatchWriter, GathersSegmentsAndFallsBackOnEinval) {
  const auto pkts = tbtest::flow_packets(tbtest::flow_spec(4, packet::kProtoTcp, 1), 4, 1000, 1);
  std::vector<offload::Segment> segs;
  for (const auto& p : pkts) {
    const std::span<const std::uint8_t> all(p);
    segs.push_back({all.first(40), all.subspan(40)});  // IPv4 + TCP without options: 40 bytes of headers
  }
  forward::BatchWriter w(tbtest::full_offloads(), 2000, 16);
  w.begin(segs);
  ASSERT_EQ(w.pending().size(), 1u);
  const auto& out = w.pending()[0];
  EXPECT_TRUE(out.vnet.is_gso());
  EXPECT_EQ(out.bytes.size(), 40u);
  ASSERT_EQ(out.more.size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(out.more[i].data(), segs[i].tail.data()) << "no payload copied";
  const auto t = refuse_with_einval(w, pkts);
  EXPECT_EQ(t.bytes, pkts[0].size() * 4) << "bytes counted over every piece";

  // Without GSO writes, each segment leaves as itself, head and tail gathered.
  forward::BatchWriter plain(tbtest::no_offloads(), 2000, 16);
  plain.begin(segs);
  ASSERT_EQ(plain.pending().size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(plain.pending()[i].size(), pkts[i].size());
    ASSERT_EQ(plain.pending()[i].more.size(), 1u);
    EXPECT_EQ(plain.pending()[i].more[0].data(), segs[i].tail.data());
  }
}

TEST(BatchWriter, CoalescesAndFallsBackOnEinval) {
  const auto pkts = tbtest::flow_packets(tbtest::flow_spec(4, packet::kProtoTcp, 1), 4, 1000, 1);
  std::vector<std::span<const std::uint8_t>> views(pkts.begin(), pkts.end());
  forward::BatchWriter w(tbtest::full_offloads(), 2000, 16);
  ASSERT_TRUE(w.coalescing());
  w.begin(views);
  ASSERT_EQ(w.pending().size(), 1u);
  EXPECT_TRUE(w.pending()[0].vnet.is_gso());
  refuse_with_einval(w, pkts);
}

TEST(BatchWriter, OtherErrorsDropTheWholeWriteAndContinue) {
  const auto pkts = tbtest::flow_packets(tbtest::flow_spec(6, packet::kProtoUdp, 1), 3, 100, 2);
  std::vector<std::span<const std::uint8_t>> views(pkts.begin(), pkts.end());
  forward::BatchWriter w(tbtest::no_offloads(), 2000, 16);
  EXPECT_FALSE(w.coalescing());
  w.begin(views);
  forward::Tally t;
  t.packets = 3;
  w.on_sent({1, EPERM}, t);  // first written, second refused
  EXPECT_EQ(t.dropped(DropReason::kWriteOther), 1u);
  ASSERT_EQ(w.pending().size(), 1u);
  w.on_sent({1, 0}, t);
  EXPECT_TRUE(w.done());
  EXPECT_EQ(t.written, 2u);
  EXPECT_TRUE(t.balanced());
}

}  // namespace

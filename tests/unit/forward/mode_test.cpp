// Every mode between two fake TUNs: flows arrive intact and in order, GRO and GSO split on the
// offload modes, buffer reuse on the pooled mode, drops counted with reasons, counters balance.
#include <cerrno>
#include <set>
#include <string_view>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "forward/channels/buffer_pool.h"
#include "support/fake_rig.h"
#include "support/modes.h"

namespace {

using namespace tbtest;
using forward::DropReason;

class EveryMode : public testing::TestWithParam<std::string> {
 protected:
  const forward::Mode& mode() const { return tbtest::mode(GetParam()); }
};
class GsoMode : public EveryMode {};

// docs/reference.md: rows 1-12 of the reference table are the modes tunfwd must offer, one
// registry entry each.
TEST(ModeRegistry, EveryReferenceRowHasExactlyOneMode) {
  std::set<int> rows;
  for (const auto& m : forward::modes()) {
    if (m.reference_row == 0) continue;
    EXPECT_TRUE(rows.insert(m.reference_row).second) << "row " << m.reference_row << " twice, again in " << m.name;
  }
  std::set<int> want;
  for (int row = 1; row <= 12; ++row) want.insert(row);
  EXPECT_EQ(rows, want);
}

TEST(ModeRegistry, NamesAreUniqueAndFound) {
  std::set<std::string_view> names;
  for (const auto& m : forward::modes()) {
    EXPECT_TRUE(names.insert(m.name).second) << m.name;
    EXPECT_EQ(forward::find_mode(m.name), &m);
    EXPECT_FALSE(m.description.empty()) << m.name;
    EXPECT_NE(m.make, nullptr) << m.name;
  }
  EXPECT_GE(names.size(), 12u);
  EXPECT_EQ(forward::find_mode("nope"), nullptr);
  EXPECT_EQ(forward::find_mode(""), nullptr);
}

TEST(ModeRegistry, QueuesComeFromTheEntryOrTheFlag) {
  const forward::Mode fixed{.name = "x", .description = "x", .queues = 2};
  const forward::Mode flag{.name = "y", .description = "y", .queues = 0};
  EXPECT_EQ(forward::queues_for(fixed, 0), 2u);
  EXPECT_EQ(forward::queues_for(fixed, 4), 2u) << "a fixed count ignores --queues";
  EXPECT_EQ(forward::queues_for(flag, 0), forward::kDefaultQueues);
  EXPECT_EQ(forward::queues_for(flag, 4), 4u);
}

// `tunfwd --list --json` is the registry, fact for fact: the harness reads traits from it.
TEST(ModeRegistry, JsonCarriesEveryFact) {
  const auto j = forward::registry_json();
  EXPECT_EQ(j.at("format"), "tunfwd-modes/1");
  ASSERT_FALSE(forward::modes().empty()) << "an empty registry and an empty list would agree";
  ASSERT_EQ(j.at("modes").size(), forward::modes().size());
  std::size_t i = 0;
  for (const auto& m : forward::modes()) {
    const auto& e = j["modes"][i++];
    EXPECT_EQ(e.at("name"), m.name);
    EXPECT_EQ(e.at("offload"), m.offload) << m.name;
    EXPECT_EQ(e.at("passthrough"), m.passthrough) << m.name;
    EXPECT_EQ(e.at("channel"), m.channel) << m.name;
    EXPECT_EQ(e.at("pool"), m.pool) << m.name;
    EXPECT_EQ(e.at("framed"), m.framed) << m.name;
    EXPECT_EQ(e.at("async"), m.async) << m.name;
    EXPECT_EQ(e.at("pin_by_default"), m.pin_by_default) << m.name;
    EXPECT_EQ(e.at("loop_per_direction"), m.loop_per_direction) << m.name;
    if (m.queues == 0) {
      EXPECT_EQ(e.at("queues"), "flag") << m.name;
    } else {
      EXPECT_EQ(e.at("queues"), m.queues) << m.name;
    }
    if (m.reference_row == 0) {
      EXPECT_TRUE(e.at("reference_row").is_null()) << m.name;
    } else {
      EXPECT_EQ(e.at("reference_row"), m.reference_row) << m.name;
    }
  }
}

// Several flows both ways (TCP/UDP, v4/v6), and on offload modes a TCP and a UDP super-packet.
TEST_P(EveryMode, FlowsArriveIntactAndInOrder) {
  FakeRig rig(mode());
  const std::size_t queues = rig.a().queue_count();
  std::vector<std::vector<Bytes>> flows;
  std::uint16_t sport = 40000;
  for (int version : {4, 6})
    for (std::uint8_t proto : {packet::kProtoTcp, packet::kProtoUdp}) {
      ++sport;
      flows.push_back(flow_packets(flow_spec(version, proto, sport), 12, 700 + sport % 7, sport));
    }
  std::vector<Injection> script;
  for (std::size_t i = 0; i < 12; ++i)
    for (std::size_t f = 0; f < flows.size(); ++f) script.push_back({f % queues, {}, flows[f][i]});
  if (mode().offload) {
    auto tcp = flow_spec(4, packet::kProtoTcp, 41000);
    tcp.payload = pattern(std::size_t{6} * 1000, 9);
    auto g = make_gso(tcp, 1000);
    script.push_back({0, g.header, g.bytes});
    auto udp = flow_spec(6, packet::kProtoUdp, 41001);
    udp.payload = pattern(3 * 900 + 5, 10);
    auto u = make_gso(udp, 900);
    script.push_back({queues > 1 ? 1u : 0u, u.header, u.bytes});
  }
  auto back = flow_packets(flow_spec(4, packet::kProtoTcp, 5201, true), 10, 300, 77);

  std::vector<Bytes> expected_ab;
  for (const auto& i : script)
    for (auto& p : expected_of(i.header, i.bytes)) expected_ab.push_back(p);

  for (const auto& i : script) rig.inject(rig.a(), i);
  rig.start();
  for (const auto& p : back) rig.inject(rig.b(), {0, {}, p});

  ASSERT_TRUE(rig.wait_packets(rig.b(), expected_ab.size()));
  ASSERT_TRUE(rig.wait_packets(rig.a(), back.size()));
  const auto st = rig.stop();
  EXPECT_TRUE(st.ok) << st.error;

  EXPECT_EQ(by_flow(flatten(rig.b().log().records())), by_flow(expected_ab));
  EXPECT_EQ(flatten(rig.a().log().records()), back);

  const auto ab = rig.forwarder().counters().snapshot(0);
  const auto ba = rig.forwarder().counters().snapshot(1);
  EXPECT_EQ(ab.packets, expected_ab.size());
  EXPECT_EQ(ab.written, expected_ab.size());
  EXPECT_EQ(ab.dropped(), 0u);
  EXPECT_TRUE(ab.balanced());
  EXPECT_EQ(ab.reads, script.size());
  EXPECT_EQ(ba.packets, back.size());
  EXPECT_EQ(ba.written, back.size());
  EXPECT_TRUE(ba.balanced());
  EXPECT_GT(ab.bytes, 0u);
  EXPECT_GE(ab.batches, 1u);
  if (mode().offload) {
    EXPECT_LT(ab.reads, ab.packets) << "super-packets were split";
  }
}

// A write refused with ENOBUFS drops that packet, counted, and forwarding goes on.
TEST_P(EveryMode, EnobufsIsCountedAsADrop) {
  FakeRig rig(mode());
  rig.b().set_write_rule([](const Record&, std::size_t attempt) { return attempt == 2 ? ENOBUFS : 0; });
  std::vector<Bytes> sent;
  for (std::uint16_t i = 0; i < 5; ++i) {  // distinct flows: nothing coalesces, five writes
    auto s = flow_spec(4, packet::kProtoUdp, static_cast<std::uint16_t>(30000 + i));
    s.payload = pattern(200, i);
    sent.push_back(build(s));
  }
  for (const auto& p : sent) rig.inject(rig.a(), {0, {}, p});
  rig.start();
  // Attempts 0, 1 succeed, 2 is refused, 3 and 4 succeed: four records mean all five were tried.
  ASSERT_TRUE(rig.wait_packets(rig.b(), 4));
  EXPECT_TRUE(rig.stop().ok);
  const auto t = rig.forwarder().counters().snapshot(0);
  EXPECT_EQ(t.dropped(DropReason::kWriteQueueFull), 1u);
  EXPECT_EQ(t.written, 4u);
  EXPECT_EQ(t.packets, 5u);
  EXPECT_TRUE(t.balanced());
  EXPECT_EQ(rig.b().log().records().size(), 4u);
  EXPECT_EQ(rig.b().log().attempts(), 5u);
}

// A read failing with EIO stops the forwarder by itself, with a message naming the device.
TEST_P(EveryMode, ReadEioStopsWithAnError) {
  FakeRig rig(mode());
  rig.a().queue(0).inject_read_error(EIO);
  rig.start();
  const auto st = rig.wait_finished();
  ASSERT_TRUE(st.has_value()) << "forwarder kept running after EIO";
  EXPECT_FALSE(st->ok);
  EXPECT_NE(st->error.find("tun11"), std::string::npos) << st->error;
  EXPECT_NE(st->error.find("Input/output error"), std::string::npos) << st->error;
}

// A TUN deleted under the forwarder (ip link del): reads of it fail with EBADFD, and so does
// every write to it, while the other device still brings packets for it. Every mode stops by
// itself, naming the device and saying it is gone, instead of writing into it for ever.
TEST_P(EveryMode, DeletedDeviceStopsWithAnErrorNamingIt) {
  FakeRig rig(mode());
  rig.b().set_write_rule([](const Record&, std::size_t) { return EBADFD; });
  for (std::uint16_t i = 0; i < 8; ++i) {
    auto s = flow_spec(4, packet::kProtoUdp, static_cast<std::uint16_t>(31000 + i));
    s.payload = pattern(300, i);
    rig.inject(rig.a(), {0, {}, build(s)});
  }
  rig.b().queue(0).inject_read_error(EBADFD);
  rig.start();
  const auto st = rig.wait_finished();
  ASSERT_TRUE(st.has_value()) << "forwarder kept running after tun22 was deleted";
  EXPECT_FALSE(st->ok);
  EXPECT_NE(st->error.find("tun22"), std::string::npos) << st->error;
  EXPECT_NE(st->error.find("gone"), std::string::npos) << st->error;
}

TEST_P(EveryMode, StopsWhenIdle) {
  FakeRig rig(mode());
  rig.start();
  const auto st = rig.stop();
  EXPECT_TRUE(st.ok) << st.error;
  EXPECT_TRUE(rig.forwarder().counters().snapshot(0).empty());
}

INSTANTIATE_TEST_SUITE_P(Modes, EveryMode, testing::ValuesIn(all_mode_names()), param_name);

// MTU-sized packets of one TCP flow read in one batch leave as one coalesced GSO write (the
// passthrough modes forward what they read whole: PassthroughMode below).
class SplitMode : public EveryMode {};
TEST_P(SplitMode, OneBatchOfATcpFlowIsCoalesced) {
  FakeRig rig(mode());
  auto sent = flow_packets(flow_spec(4, packet::kProtoTcp, 40000), 8, 1400, 3);
  for (const auto& p : sent) rig.inject(rig.a(), {0, {}, p});
  rig.start();
  ASSERT_TRUE(rig.wait_packets(rig.b(), sent.size()));
  EXPECT_TRUE(rig.stop().ok);
  const auto records = rig.b().log().records();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].header.gso_type, vnet::kGsoTcpV4);
  EXPECT_EQ(records[0].header.gso_size, 1400);
  EXPECT_EQ(flatten(records), sent);
  const auto t = rig.forwarder().counters().snapshot(0);
  EXPECT_EQ(t.writes, 1u);
  EXPECT_EQ(t.written, 8u);
  EXPECT_TRUE(t.balanced());
}

// The kernel refusing a GSO write with EINVAL: the segments are resent one by one, counted.
TEST_P(GsoMode, EinvalOnGsoWriteFallsBackToSegments) {
  FakeRig rig(mode());
  rig.b().set_write_rule([](const Record& r, std::size_t) { return r.header.is_gso() ? EINVAL : 0; });
  std::vector<Bytes> expected;
  if (mode().passthrough) {
    auto s = flow_spec(4, packet::kProtoTcp, 40000);
    s.payload = pattern(std::size_t{8} * 1400, 4);
    auto g = make_gso(s, 1400);
    expected = expected_of(g.header, g.bytes);
    rig.inject(rig.a(), {0, g.header, g.bytes});
  } else {
    expected = flow_packets(flow_spec(4, packet::kProtoTcp, 40000), 8, 1400, 4);
    for (const auto& p : expected) rig.inject(rig.a(), {0, {}, p});
  }
  rig.start();
  ASSERT_TRUE(rig.wait_packets(rig.b(), expected.size()));
  EXPECT_TRUE(rig.stop().ok);
  const auto records = rig.b().log().records();
  EXPECT_EQ(records.size(), 8u);
  for (const auto& r : records) EXPECT_FALSE(r.header.is_gso());
  EXPECT_EQ(flatten(records), expected);
  const auto t = rig.forwarder().counters().snapshot(0);
  EXPECT_GE(t.gso_fallbacks, 1u);
  EXPECT_EQ(t.dropped(), 0u);
  EXPECT_EQ(t.written, 8u);
  EXPECT_TRUE(t.balanced());
}

// A packet whose virtio header is invalid (UFO) is dropped with a reason, the rest goes on.
TEST_P(GsoMode, BadVnetHeaderIsDroppedAndCounted) {
  FakeRig rig(mode());
  auto s = flow_spec(4, packet::kProtoUdp, 40000);
  s.payload = pattern(3000, 5);
  auto bad = make_gso(s, 1000);
  bad.header.gso_type = vnet::kGsoUdp;  // UFO: obsolete, refused
  auto good = flow_packets(flow_spec(6, packet::kProtoTcp, 40001), 3, 500, 6);
  rig.inject(rig.a(), {0, bad.header, bad.bytes});
  for (const auto& p : good) rig.inject(rig.a(), {0, {}, p});
  rig.start();
  ASSERT_TRUE(rig.wait_packets(rig.b(), good.size()));
  EXPECT_TRUE(rig.stop().ok);
  EXPECT_EQ(flatten(rig.b().log().records()), good);
  const auto t = rig.forwarder().counters().snapshot(0);
  EXPECT_EQ(t.dropped(), 1u);
  if (mode().passthrough) {
    EXPECT_EQ(t.dropped(DropReason::kVnetInvalid), 1u);
  } else {
    EXPECT_EQ(t.dropped(forward::drop_reason(offload::Error::kVnetGsoType)), 1u);
  }
  EXPECT_TRUE(t.balanced());
}

INSTANTIATE_TEST_SUITE_P(Modes, GsoMode, testing::ValuesIn(offload_mode_names()), param_name);
INSTANTIATE_TEST_SUITE_P(Modes, SplitMode, testing::ValuesIn(mode_names([](const forward::Mode& m) {
                           return m.offload && !m.passthrough;
                         })),
                         param_name);

class PassthroughMode : public EveryMode {};
class PooledMode : public EveryMode {};
class AsyncMode : public EveryMode {};

TEST_P(PassthroughMode, ForwardsSuperPacketWholeWhenOffloadsMatch) {
  FakeRig rig(mode());
  auto s = flow_spec(6, packet::kProtoTcp, 40000);
  s.payload = pattern(std::size_t{10} * 1200, 7);
  auto g = make_gso(s, 1200);
  rig.inject(rig.a(), {0, g.header, g.bytes});
  rig.start();
  ASSERT_TRUE(rig.wait_packets(rig.b(), 10));
  EXPECT_TRUE(rig.stop().ok);
  const auto records = rig.b().log().records();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].header, g.header);
  EXPECT_EQ(records[0].bytes, g.bytes);
  const auto t = rig.forwarder().counters().snapshot(0);
  EXPECT_EQ(t.reads, 1u);
  EXPECT_EQ(t.packets, 10u);
  EXPECT_EQ(t.written, 10u);
}

TEST_P(PassthroughMode, SplitsWhenTheOtherSideLacksTso) {
  device::Offloads csum_only{true, true, false, false, false};
  FakeRig rig(mode(), full_offloads(), csum_only, 1);
  auto s = flow_spec(4, packet::kProtoTcp, 40000);
  s.payload = pattern(std::size_t{5} * 1200, 8);
  auto g = make_gso(s, 1200);
  rig.inject(rig.a(), {0, g.header, g.bytes});
  rig.start();
  ASSERT_TRUE(rig.wait_packets(rig.b(), 5));
  EXPECT_TRUE(rig.stop().ok);
  const auto records = rig.b().log().records();
  ASSERT_EQ(records.size(), 5u);
  for (const auto& r : records) EXPECT_EQ(r.header, vnet::VnetHeader{});
  EXPECT_EQ(flatten(records), expected_of(g.header, g.bytes));
}

INSTANTIATE_TEST_SUITE_P(Modes, PassthroughMode,
                         testing::ValuesIn(mode_names([](const forward::Mode& m) { return m.passthrough; })),
                         param_name);

// A pooled mode recycles its buffers: far more packets than buffers, no new allocation.
TEST_P(PooledMode, ReusesBuffers) {
  FakeRig rig(mode());
  rig.start();
  const auto* pool = rig.forwarder().pool();
  ASSERT_NE(pool, nullptr);
  const auto allocated = pool->allocations();
  const std::size_t total = pool->capacity() + 1500;
  std::size_t sent = 0;
  for (std::uint16_t chunk = 0; sent < total; ++chunk) {
    for (std::size_t i = 0; i < 500; ++i, ++sent) {
      auto s = flow_spec(4, packet::kProtoUdp, static_cast<std::uint16_t>(20000 + i % 8));
      s.payload = pattern(64, static_cast<std::uint32_t>(sent));
      rig.inject(rig.a(), {0, {}, build(s)});
    }
    ASSERT_TRUE(rig.wait_packets(rig.b(), sent));
  }
  EXPECT_TRUE(rig.stop().ok);
  EXPECT_EQ(pool->allocations(), allocated);
  EXPECT_GE(pool->acquisitions(), sent);
  EXPECT_GT(pool->acquisitions(), pool->capacity());
  EXPECT_EQ(pool->in_use(), 0u);
  const auto t = rig.forwarder().counters().snapshot(0);
  EXPECT_EQ(t.packets, sent);
  EXPECT_TRUE(t.balanced());
}

INSTANTIATE_TEST_SUITE_P(Modes, PooledMode,
                         testing::ValuesIn(mode_names([](const forward::Mode& m) { return m.pool; })), param_name);

// Modes without a pool say so (the perf test reads the pool through this too).
TEST_P(EveryMode, HasAPoolExactlyWhenTheRegistrySaysSo) {
  FakeRig rig(mode());
  rig.start();
  EXPECT_EQ(rig.forwarder().pool() != nullptr, mode().pool);
  EXPECT_TRUE(rig.stop().ok);
}

// --threads 2: each direction on its own strand, both ways at once, everything arrives in order
// and the counters balance (ThreadSanitizer checks the rest in the tsan preset).
TEST_P(AsyncMode, ForwardsBothWaysOnTwoThreads) {
  FakeRig rig(mode());
  rig.set_threads(2);
  auto ab = flow_packets(flow_spec(4, packet::kProtoTcp, 40000), 300, 900, 5);
  auto ba = flow_packets(flow_spec(6, packet::kProtoUdp, 5201, true), 300, 700, 6);
  rig.start();
  for (std::size_t i = 0; i < ab.size(); ++i) {
    rig.inject(rig.a(), {0, {}, ab[i]});
    rig.inject(rig.b(), {0, {}, ba[i]});
  }
  ASSERT_TRUE(rig.wait_packets(rig.b(), ab.size()));
  ASSERT_TRUE(rig.wait_packets(rig.a(), ba.size()));
  const auto st = rig.stop();
  EXPECT_TRUE(st.ok) << st.error;
  EXPECT_EQ(flatten(rig.b().log().records()), ab);
  EXPECT_EQ(flatten(rig.a().log().records()), ba);
  for (std::size_t d = 0; d < 2; ++d) {
    const auto t = rig.forwarder().counters().snapshot(d);
    EXPECT_EQ(t.packets, 300u) << "direction " << d;
    EXPECT_EQ(t.written, 300u) << "direction " << d;
    EXPECT_TRUE(t.balanced()) << "direction " << d;
  }
}

INSTANTIATE_TEST_SUITE_P(Modes, AsyncMode,
                         testing::ValuesIn(mode_names([](const forward::Mode& m) { return m.async; })), param_name);

}  // namespace

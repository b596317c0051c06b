// Thousands of TCP connections: slots are reused, nothing is left behind, the table is bounded.
#include <optional>
#include <set>

#include <gtest/gtest.h>

#include "support/packet_builder.h"
#include "support/stack_rig.h"

namespace {

using namespace tbtest;

std::uint32_t slot_of(std::uint64_t token) { return static_cast<std::uint32_t>(token); }

TEST(Scale, TwoThousandConnectionsInSequenceLeaveNoneAndReuseTheSlot) {
  stack::TcpOptionsConfig cfg;
  cfg.linger_ms = 100;
  StackRig rig(cfg);
  const Bytes ten = pattern(10);
  std::set<std::uint64_t> tokens;
  for (std::uint32_t i = 0; i < 2000; ++i) {
    SCOPED_TRACE(i);
    ClientFlow f;
    f.client_port = static_cast<std::uint16_t>(10000 + i);
    const std::uint32_t isn = 7 * i;
    const auto c = rig.open(f, isn, linux_syn_options(1460, 7, i));
    EXPECT_EQ(slot_of(c.token), 0u) << "the one free slot is taken again";
    tokens.insert(c.token);
    rig.client_sends(f, isn + 1, c.iss + 1, kAck | kPsh, 502, ten);
    c.socket->server_sends(ten);
    c.socket->server_closes();
    rig.socket_event(c.token, {true, false, false});
    rig.client_sends(f, isn + 11, c.iss + 12, kFin | kAck, 502);
    const auto out = rig.take();
    ASSERT_EQ(out.size(), 4u);  // ACK of the data, the data, our FIN, ACK of the client's FIN
    EXPECT_EQ(out[0].ack, isn + 11);
    EXPECT_EQ(out[1].payload, ten);
    EXPECT_EQ(out[2].flags, kFin | kAck);
    EXPECT_EQ(out[3].flags, kAck);
    EXPECT_EQ(out[3].ack, isn + 12);
    EXPECT_EQ(rig.tcp().connections(), 1u);
    rig.advance(100);
    ASSERT_EQ(rig.tcp().connections(), 0u);
  }
  EXPECT_EQ(tokens.size(), 2000u) << "every connection has its own token (generation)";
  EXPECT_EQ(rig.counters().tcp_opened, 2000u);
  EXPECT_EQ(rig.counters().tcp_closed, 2000u);
  EXPECT_EQ(rig.counters().tcp_reset, 0u);
  EXPECT_EQ(rig.counters().bytes_to_sockets, 20000u);
  EXPECT_EQ(rig.counters().bytes_to_client, 20000u);
  EXPECT_EQ(rig.counters().dropped(), 0u);
  EXPECT_EQ(rig.tcp().next_deadline(), 0u);
  for (const auto& [token, record] : rig.sockets().records) EXPECT_TRUE(record.closed) << token;
}

TEST(Scale, TwoThousandConcurrentConnectionsThenTheirSlotsAgain) {
  StackRig rig;
  std::set<std::uint32_t> slots;
  std::vector<std::uint64_t> tokens;
  for (std::uint32_t i = 0; i < 2000; ++i) {
    ClientFlow f;
    f.client_port = static_cast<std::uint16_t>(10000 + i);
    tokens.push_back(rig.open(f, 100 * i, linux_syn_options(1460, 7, 1)).token);
    slots.insert(slot_of(tokens.back()));
  }
  EXPECT_EQ(rig.tcp().connections(), 2000u);
  EXPECT_EQ(slots.size(), 2000u);
  EXPECT_EQ(*slots.rbegin(), 1999u);
  for (std::uint32_t i = 0; i < 2000; ++i) {
    ClientFlow f;
    f.client_port = static_cast<std::uint16_t>(10000 + i);
    rig.client_sends(f, 100 * i + 1, 0, kRst, 0);
  }
  EXPECT_EQ(rig.tcp().connections(), 0u);
  EXPECT_EQ(rig.counters().tcp_reset, 2000u);
  for (const auto token : tokens) EXPECT_FALSE(rig.tcp().knows(token));
  // A second round takes the same 2000 slots, under new generations.
  std::set<std::uint32_t> again;
  for (std::uint32_t i = 0; i < 2000; ++i) {
    ClientFlow f;
    f.client_port = static_cast<std::uint16_t>(30000 + i);
    const auto token = rig.open(f, 100 * i, linux_syn_options(1460, 7, 1)).token;
    again.insert(slot_of(token));
    EXPECT_EQ(token >> 32, 2u);
  }
  EXPECT_EQ(again, slots);
  EXPECT_EQ(rig.tcp().connections(), 2000u);
}

TEST(Scale, FullConnectionTableAnswersTheSynWithRst) {
  stack::TcpOptionsConfig cfg;
  cfg.max_connections = 2;
  StackRig rig(cfg);
  ClientFlow f;
  f.client_port = 1;
  const auto first = rig.open(f, 100, linux_syn_options(1460, 7, 1));
  f.client_port = 2;
  rig.client_sends(f, 200, 0, kSyn, 64240);  // still connecting: it counts too
  f.client_port = 3;
  rig.client_sends(f, 300, 0, kSyn, 64240);
  const auto out = rig.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].flags, kRst | kAck);
  EXPECT_EQ(out[0].ack, 301u);
  EXPECT_EQ(rig.counters().dropped(stack::Drop::kTooManyFlows), 1u);
  EXPECT_EQ(rig.tcp().connections(), 2u);
  EXPECT_EQ(rig.sockets().streams.size(), 2u) << "no connect for a SYN that does not fit";
  // One leaves: the next SYN is taken.
  f.client_port = 1;
  rig.client_sends(f, 101, 0, kRst, 0);
  EXPECT_FALSE(rig.tcp().knows(first.token));
  f.client_port = 3;
  rig.client_sends(f, 300, 0, kSyn, 64240);
  EXPECT_TRUE(rig.take().empty());
  EXPECT_EQ(rig.tcp().connections(), 2u);
  EXPECT_EQ(rig.sockets().streams.size(), 3u);
  EXPECT_EQ(rig.counters().dropped(stack::Drop::kTooManyFlows), 1u);
}

}  // namespace

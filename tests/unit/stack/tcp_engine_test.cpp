// The TCP engine over fakes: the handshake, data both ways with ACK and window bookkeeping,
// retransmission, closing and resets. Rules and reasons: docs/stack.md.
#include <gtest/gtest.h>

#include "support/stack_rig.h"

namespace {

using namespace tbtest;

TEST(Handshake, SynAckOnlyAfterTheServerAcceptedAndEchoesTheOffers) {
  StackRig rig;
  ClientFlow f;
  rig.client_sends(f, 1000, 0, kSyn, 64240, {}, linux_syn_options(1460, 7, 555));
  EXPECT_TRUE(rig.take().empty()) << "nothing before the server answered";
  ASSERT_EQ(rig.sockets().streams.size(), 1u);
  const auto token = rig.sockets().streams.begin()->first;
  rig.socket_event(token, {false, true, false});
  const auto out = rig.take();
  ASSERT_EQ(out.size(), 1u);
  const auto& sa = out[0];
  EXPECT_TRUE(sa.has(kSyn | kAck));
  EXPECT_EQ(sa.ack, 1001u);
  EXPECT_EQ(sa.options.mss, 1460);
  EXPECT_EQ(sa.options.window_scale, 7);
  EXPECT_TRUE(sa.options.sack_permitted);
  ASSERT_TRUE(sa.options.ts_val.has_value());
  EXPECT_EQ(sa.options.ts_ecr, 555u);
}

TEST(Handshake, RefusedConnectIsAnsweredWithRst) {
  StackRig rig;
  ClientFlow f;
  rig.client_sends(f, 7000, 0, kSyn, 64240);
  const auto token = rig.sockets().streams.begin()->first;
  rig.sockets().streams.begin()->second->connect_result = ECONNREFUSED;
  rig.socket_event(token, {false, true, false});
  const auto out = rig.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0].has(kRst | kAck));
  EXPECT_EQ(out[0].ack, 7001u);
  EXPECT_FALSE(rig.tcp().knows(token));
  EXPECT_EQ(rig.counters().tcp_refused, 1u);
}

TEST(Data, ClientDataGoesToTheSocketAndIsAcknowledged) {
  StackRig rig;
  ClientFlow f;
  const auto token = rig.establish(f, 100, linux_syn_options(1460, 7, 1));
  const Bytes data(3000, 0x5a);
  rig.client_sends(f, 101, 0, kAck, 502, data);
  auto* s = rig.sockets().streams.at(token);
  EXPECT_EQ(s->received, data);
  const auto out = rig.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].ack, 3101u);
  EXPECT_EQ(rig.counters().bytes_to_sockets, 3000u);
}

TEST(Data, ServerDataLeavesAsOneSuperPacketOfClientMss) {
  StackRig rig;
  ClientFlow f;
  TcpOut syn_ack;
  const auto token = rig.establish(f, 100, linux_syn_options(1460, 7, 1), &syn_ack);
  auto* s = rig.sockets().streams.at(token);
  Bytes data(10000);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i);
  s->server_sends(data);
  rig.socket_event(token, {true, false, false});
  const auto out = rig.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].payload, data);
  EXPECT_EQ(out[0].seq, syn_ack.seq + 1);
  EXPECT_EQ(out[0].header.gso_type, vnet::kGsoTcpV4);
  EXPECT_EQ(out[0].header.gso_size, 1460 - 12) << "MSS minus the timestamps option";
  EXPECT_EQ(s->unacknowledged(), data.size()) << "kept in the socket until acknowledged";
}

}  // namespace

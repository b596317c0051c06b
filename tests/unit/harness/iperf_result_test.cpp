// The iperf3 -J parser on real reports recorded on this machine (fixtures/iperf3/, iperf 3.12,
// over a veth pair between two namespaces).
#include "harness/iperf_result.h"

#include <gtest/gtest.h>

#include "support/fixtures.h"

using harness::parse_iperf_json;

TEST(IperfResult, TcpUsesTheReceiverBitrateAndSenderRetransmits) {
  const auto r = parse_iperf_json(tbtest::fixture("iperf3/tcp.json"));
  EXPECT_FALSE(r.udp);
  EXPECT_NEAR(r.gbps, 18.570732143, 1e-6);  // sum_received, not sum_sent (18.5711...)
  EXPECT_DOUBLE_EQ(r.offered_gbps, r.gbps);
  EXPECT_EQ(r.retransmits, 5497);
  EXPECT_DOUBLE_EQ(r.delivered_gbps, r.gbps);
  EXPECT_DOUBLE_EQ(r.loss_percent, 0.0);
  EXPECT_GT(r.seconds, 0.9);
  EXPECT_EQ(r.bytes, 2321940424u);  // sum_received, not sum_sent (2321940480)
}

TEST(IperfResult, ParallelStreamsAreSummed) {
  const auto r = parse_iperf_json(tbtest::fixture("iperf3/tcp-p2.json"));
  EXPECT_NEAR(r.gbps, 19.503529100, 1e-6);
  EXPECT_EQ(r.retransmits, 8838);
}

TEST(IperfResult, ReverseModeStillReadsTheReceiver) {
  const auto r = parse_iperf_json(tbtest::fixture("iperf3/tcp-reverse.json"));
  EXPECT_NEAR(r.gbps, 19.394282416, 1e-6);
  EXPECT_EQ(r.retransmits, 6603);
}

TEST(IperfResult, UdpThroughputIsWhatArrivedWithTheOfferedRateBesideIt) {
  const auto r = parse_iperf_json(tbtest::fixture("iperf3/udp.json"));
  EXPECT_TRUE(r.udp);
  EXPECT_NEAR(r.gbps, 6.732492985, 1e-6);  // sum_received: 5.4 % of the offered 7.12 Gbps was lost
  EXPECT_NEAR(r.offered_gbps, 7.117755167, 1e-6);
  EXPECT_NEAR(r.loss_percent, 5.408651, 1e-5);
  EXPECT_DOUBLE_EQ(r.delivered_gbps, r.gbps);
  EXPECT_EQ(r.retransmits, 0);
  // What the receiver got, not the 889,738,080 the sender sent: the traffic guard compares what a
  // TUN carried with it, and datagrams lost before the TUN never crossed it.
  EXPECT_EQ(r.bytes, 841613800u);
}

TEST(IperfResult, UdpWithoutTheReceiversBytesCountsWhatTheLossLeft) {
  const auto r = parse_iperf_json(R"({"start":{"test_start":{"protocol":"UDP"}},
    "end":{"sum_sent":{"bytes":1000000,"bits_per_second":8e6,"seconds":1},
           "sum_received":{"lost_percent":25.0}}})");
  EXPECT_TRUE(r.udp);
  EXPECT_DOUBLE_EQ(r.loss_percent, 25.0);
  EXPECT_EQ(r.bytes, 750000u);
  EXPECT_DOUBLE_EQ(r.gbps, 0.006);  // 8 Mbit/s offered, a quarter lost
  EXPECT_DOUBLE_EQ(r.offered_gbps, 0.008);
}

TEST(IperfResult, UdpAtAFixedRateWithoutLoss) {
  const auto r = parse_iperf_json(tbtest::fixture("iperf3/udp-rate.json"));
  EXPECT_NEAR(r.gbps, 0.0999, 1e-4);
  EXPECT_NEAR(r.offered_gbps, 0.0999, 1e-4);
  EXPECT_DOUBLE_EQ(r.loss_percent, 0.0);
}

TEST(IperfResult, ErrorFieldBecomesAnExceptionWithIperfsMessage) {
  try {
    parse_iperf_json(tbtest::fixture("iperf3/error-refused.json"));
    FAIL() << "expected an exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("Connection refused"), std::string::npos) << e.what();
  }
}

TEST(IperfResult, MalformedOrIncompleteReportsAreErrors) {
  EXPECT_THROW(parse_iperf_json("{not json"), std::runtime_error);
  EXPECT_THROW(parse_iperf_json(R"({"start":{},"end":{}})"), std::runtime_error);
  EXPECT_THROW(parse_iperf_json(""), std::runtime_error);
}

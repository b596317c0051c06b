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
  EXPECT_EQ(r.retransmits, 5497);
  EXPECT_DOUBLE_EQ(r.delivered_gbps, r.gbps);
  EXPECT_DOUBLE_EQ(r.loss_percent, 0.0);
  EXPECT_GT(r.seconds, 0.9);
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

TEST(IperfResult, UdpReportsOfferedRateLossAndDelivered) {
  const auto r = parse_iperf_json(tbtest::fixture("iperf3/udp.json"));
  EXPECT_TRUE(r.udp);
  EXPECT_NEAR(r.gbps, 7.117755167, 1e-6);
  EXPECT_NEAR(r.loss_percent, 5.408651, 1e-5);
  EXPECT_NEAR(r.delivered_gbps, 7.117755167 * (1 - 0.05408651), 1e-5);
  EXPECT_EQ(r.retransmits, 0);
}

TEST(IperfResult, UdpAtAFixedRateWithoutLoss) {
  const auto r = parse_iperf_json(tbtest::fixture("iperf3/udp-rate.json"));
  EXPECT_NEAR(r.gbps, 0.0999, 1e-4);
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

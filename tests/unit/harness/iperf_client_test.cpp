// The iperf3 client's command line, from the run's options (the measurement itself needs root and
// namespaces: tests/integration/harness).
#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "harness/iperf.h"

using harness::client_argv;
using harness::IperfOptions;
using harness::IperfPath;

namespace {

// The value after `flag`, or "" when the flag is absent.
std::string after(const std::vector<std::string>& argv, const std::string& flag) {
  const auto it = std::find(argv.begin(), argv.end(), flag);
  return it == argv.end() || it + 1 == argv.end() ? "" : *(it + 1);
}
bool has(const std::vector<std::string>& argv, const std::string& flag) {
  return std::find(argv.begin(), argv.end(), flag) != argv.end();
}

const IperfPath kPath{"tb-a", "tb-b", "10.0.2.1"};

}  // namespace

TEST(IperfClient, TcpConnectsToTheServerForTheDuration) {
  IperfOptions o;
  o.duration_s = 7;
  const auto argv = client_argv(kPath, o, 5301);
  EXPECT_EQ(argv.front(), "iperf3");
  EXPECT_EQ(after(argv, "-c"), "10.0.2.1");
  EXPECT_EQ(after(argv, "-p"), "5301");
  EXPECT_EQ(after(argv, "-t"), "7");
  EXPECT_TRUE(has(argv, "-J"));
  for (const char* absent : {"-u", "-b", "-l", "-P", "-R"}) EXPECT_FALSE(has(argv, absent)) << absent;
}

TEST(IperfClient, UdpCarriesItsRateAndADatagramLengthOnlyWhenOneIsAsked) {
  IperfOptions o{.udp = true, .udp_rate = "1G"};
  auto argv = client_argv(kPath, o, 5201);
  EXPECT_TRUE(has(argv, "-u"));
  EXPECT_EQ(after(argv, "-b"), "1G");
  EXPECT_FALSE(has(argv, "-l")) << "0 leaves the length to iperf3";
  o.udp_length = 1400;
  argv = client_argv(kPath, o, 5201);
  EXPECT_EQ(after(argv, "-l"), "1400");
  o.udp = false;  // a length means nothing to TCP here
  EXPECT_FALSE(has(client_argv(kPath, o, 5201), "-l"));
}

TEST(IperfClient, ParallelStreamsAndReverse) {
  IperfOptions o;
  o.parallel = 4;
  o.reverse = true;
  const auto argv = client_argv(kPath, o, 5201);
  EXPECT_EQ(after(argv, "-P"), "4");
  EXPECT_TRUE(has(argv, "-R"));
  o.parallel = 1;
  EXPECT_FALSE(has(client_argv(kPath, o, 5201), "-P")) << "one stream is iperf3's default";
}

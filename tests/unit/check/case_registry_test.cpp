// The table of cases (check/case_registry.h): unique names, a rule each, selection by pattern,
// and docs/check.md describing every case.
#include "check/case_registry.h"

#include <fstream>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "check/udp_datagrams.h"

namespace {

TEST(CaseRegistry, NamesAreUniqueAndEachHasARuleAndAFunction) {
  std::set<std::string> names;
  for (const auto& c : check::all_cases()) {
    EXPECT_TRUE(names.insert(c.name).second) << c.name;
    EXPECT_FALSE(c.rule.empty()) << c.name;
    EXPECT_NE(c.run, nullptr) << c.name;
    EXPECT_TRUE(c.name.starts_with(c.family + "-")) << c.name << " is named after its family " << c.family;
  }
}

TEST(CaseRegistry, PatternsSelectInTableOrder) {
  const auto tcp = check::select_cases("tcp-*");
  ASSERT_EQ(tcp.size(), 6u);
  EXPECT_EQ(tcp.front()->name, "tcp-v4-bulk-up");
  const auto some = check::select_cases("udp-v6,tcp-v6-*");
  ASSERT_EQ(some.size(), 4u);
  EXPECT_EQ(some[0]->name, "tcp-v6-bulk-up");
  EXPECT_EQ(some[2]->name, "tcp-v6-bulk-both");
  EXPECT_EQ(some[3]->name, "udp-v6");
  const auto gso = check::select_cases("udp-*-gso");
  ASSERT_EQ(gso.size(), 2u);
  EXPECT_EQ(gso[0]->name, "udp-v4-gso");
  EXPECT_EQ(check::select_cases("").size(), check::all_cases().size());
}

TEST(CaseRegistry, APatternThatMatchesNothingIsAnError) {
  EXPECT_THROW(check::select_cases("tcp-*,no-such-case"), std::invalid_argument);
}

// The cases that end the forwarder are exactly the ones that must get a bring-up of their own.
TEST(CaseRegistry, TheCasesThatEndTheForwarderSaySo) {
  for (const auto& c : check::all_cases()) {
    const bool ends = c.name == "robustness-sigterm" || c.name == "robustness-tun-deleted";
    EXPECT_EQ(c.stops_forwarder, ends) << c.name;
  }
}

TEST(CaseRegistry, DocsDescribeEveryCase) {
  std::ifstream in(TB_DOCS_DIR "/check.md");
  ASSERT_TRUE(in) << TB_DOCS_DIR "/check.md";
  std::stringstream text;
  text << in.rdbuf();
  for (const auto& c : check::all_cases()) EXPECT_NE(text.str().find("`" + c.name + "`"), std::string::npos) << c.name;
}

TEST(DatagramSizes, RunFromNothingToTheLargestUnfragmentedDatagram) {
  const auto v4 = check::datagram_sizes(1500, 4);
  EXPECT_EQ(v4.front(), 0u);
  EXPECT_EQ(v4.back(), 1472u);
  const auto v6 = check::datagram_sizes(1500, 6);
  EXPECT_EQ(v6.back(), 1452u);
  for (auto s : v6) EXPECT_LE(s, 1452u);
  const auto tiny = check::datagram_sizes(60, 4);
  EXPECT_EQ(tiny.back(), 32u);
}

// Every burst is one UDP_SEGMENT send the kernel takes: at least 2 and at most 64 datagrams,
// each within the largest unfragmented size, the whole within 64 KB with the headers; the last
// datagram is shorter in all but one (equal) burst.
TEST(GsoBursts, FitWhatOneUdpSegmentSendMayCarry) {
  for (const int version : {4, 6})
    for (const std::size_t mtu : {std::size_t{1280}, std::size_t{1500}, std::size_t{9000}, std::size_t{65535}}) {
      const std::size_t headers = version == 6 ? 48 : 28;
      const auto bursts = check::gso_bursts(mtu, version);
      ASSERT_GE(bursts.size(), 3u) << mtu;
      std::size_t shorter_last = 0, of_64 = 0;
      for (const auto& b : bursts) {
        EXPECT_GE(b.count, 2u);
        EXPECT_LE(b.count, 64u);
        EXPECT_LE(b.size, mtu - headers);
        EXPECT_GE(b.last, 1u);
        EXPECT_LE(b.last, b.size);
        EXPECT_LE((b.count - 1) * b.size + b.last + headers, 65535u) << b.size << " x " << b.count;
        EXPECT_EQ(b.datagram_size(0), b.size);
        EXPECT_EQ(b.datagram_size(b.count - 1), b.last);
        shorter_last += b.last < b.size ? 1 : 0;
        of_64 += b.count == 64 ? 1 : 0;
      }
      EXPECT_GE(shorter_last, bursts.size() - 1) << mtu;
      EXPECT_GE(of_64, 1u) << "no burst of 64 at MTU " << mtu;
    }
  EXPECT_EQ(check::gso_bursts(1500, 4).front().size, 1472u) << "the first burst: the largest datagrams";
}

TEST(OneAtATime, SendsEachSizeAlone) {
  const auto sends = check::one_at_a_time({0, 5, 1472});
  ASSERT_EQ(sends.size(), 3u);
  EXPECT_EQ(sends[1].count, 1u);
  EXPECT_EQ(sends[1].datagram_size(0), 5u);
  EXPECT_EQ(sends[0].datagram_size(0), 0u);
}

}  // namespace

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
  ASSERT_EQ(tcp.size(), 4u);
  EXPECT_EQ(tcp.front()->name, "tcp-v4-bulk-up");
  const auto two = check::select_cases("udp-v6,tcp-v6-*");
  ASSERT_EQ(two.size(), 2u);
  EXPECT_EQ(two[0]->name, "tcp-v6-bulk-up");
  EXPECT_EQ(two[1]->name, "udp-v6");
  EXPECT_EQ(check::select_cases("").size(), check::all_cases().size());
}

TEST(CaseRegistry, APatternThatMatchesNothingIsAnError) {
  EXPECT_THROW(check::select_cases("tcp-*,no-such-case"), std::invalid_argument);
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

}  // namespace

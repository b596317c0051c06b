// Where rows stand in the chart and their colours (report/chart_layout.h): baselines first, each
// mode of ours with the rows of other implementations that mirror it beside it, the rest in run
// order; one colour per implementation, the same from chart to chart.
#include "report/chart_layout.h"

#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/run_rows.h"

namespace {

using harness::RowResult;
using harness::RunResult;

struct Row {
  std::string label;
  std::string implementation;
  std::string mode;
  std::string direction = "up";
};

RunResult run_of(const std::vector<Row>& rows) {
  RunResult run;
  for (const auto& r : rows) {
    RowResult row = r.implementation == "kernel" ? tbtest::baseline_row(r.label, "kernel-veth")
                                                 : tbtest::forwarder_row(r.label, "/bin/x", {}, r.implementation);
    row.mode = r.mode;
    row.direction = r.direction;
    run.rows.push_back(std::move(row));
  }
  return run;
}

using Groups = std::vector<std::vector<std::string>>;

Groups labels_of(const RunResult& run) {
  Groups out;
  for (const auto& g : report::chart_groups(run)) {
    out.emplace_back();
    for (const auto i : g) out.back().push_back(run.rows.at(i).label);
  }
  return out;
}

struct OrderCase {
  const char* name;
  std::vector<Row> rows;  // in run order
  Groups want;
};

const Row kVeth{"kernel veth", "kernel", ""};
const Row kLoopback{"kernel loopback", "kernel", ""};

const OrderCase kOrder[] = {
    {"TwinsStandBesideOurMode",
     {kVeth,
      {"sync-gso", "tunbench", "sync-gso"},
      {"async-gso", "tunbench", "async-gso"},
      {"tun-rs/sync-gso", "tun-rs", "sync-gso"},
      {"tun-rs/async-gso", "tun-rs", "async-gso"}},
     {{"kernel veth"}, {"sync-gso", "tun-rs/sync-gso"}, {"async-gso", "tun-rs/async-gso"}}},
    {"BaselinesFirstWhereverTheyRan",
     {{"sync-gso", "tunbench", "sync-gso"}, kVeth, kLoopback},
     {{"kernel veth", "kernel loopback"}, {"sync-gso"}}},
    {"RowsWithoutATwinKeepRunOrder",
     {kVeth,
      {"passthrough", "tunbench", "passthrough"},
      {"boringtun", "boringtun", ""},
      {"sync-gso", "tunbench", "sync-gso"},
      {"wg/turbo", "wg", "turbo"}},
     {{"kernel veth"}, {"passthrough"}, {"boringtun"}, {"sync-gso"}, {"wg/turbo"}}},
    {"ATwinThatRanFirstWaitsForOurRow",
     {{"tun-rs/sync-gso", "tun-rs", "sync-gso"}, kVeth, {"sync-gso", "tunbench", "sync-gso"}},
     {{"kernel veth"}, {"sync-gso", "tun-rs/sync-gso"}}},
    {"EveryImplementationOfAModeJoinsInRunOrder",
     {{"sync-gso", "tunbench", "sync-gso"},
      {"wg/sync-gso", "wg", "sync-gso"},
      {"passthrough", "tunbench", "passthrough"},
      {"tun-rs/sync-gso", "tun-rs", "sync-gso"}},
     {{"sync-gso", "wg/sync-gso", "tun-rs/sync-gso"}, {"passthrough"}}},
    {"TheOtherDirectionIsNotATwin",
     {{"sync-gso up", "tunbench", "sync-gso", "up"},
      {"sync-gso down", "tunbench", "sync-gso", "down"},
      {"tun-rs/sync-gso down", "tun-rs", "sync-gso", "down"},
      {"tun-rs/sync-gso up", "tun-rs", "sync-gso", "up"}},
     {{"sync-gso up", "tun-rs/sync-gso up"}, {"sync-gso down", "tun-rs/sync-gso down"}}},
    {"RowsWithoutModesKeepRunOrder",
     {{"kernel veth up", "kernel", "", "up"},
      {"kernel veth down", "kernel", "", "down"},
      {"tunstack up", "tunbench", "", "up"},
      {"tunstack down", "tunbench", "", "down"},
      {"pasta up", "pasta", "", "up"},
      {"pasta down", "pasta", "", "down"}},
     {{"kernel veth up", "kernel veth down"}, {"tunstack up"}, {"tunstack down"}, {"pasta up"}, {"pasta down"}}},
};

TEST(ChartOrder, BaselinesFirstThenEachModeOfOursBesideItsTwins) {
  for (const auto& c : kOrder) {
    const auto run = run_of(c.rows);
    EXPECT_EQ(labels_of(run), c.want) << c.name;
    // The bar order is the groups one after another, every row once.
    const auto order = report::chart_order(run);
    EXPECT_EQ(order.size(), run.rows.size()) << c.name;
    EXPECT_EQ(std::set<std::size_t>(order.begin(), order.end()).size(), run.rows.size()) << c.name;
  }
}

std::string colour_of(const RunResult& run, const std::string& implementation) {
  for (const auto& c : report::implementation_colours(run))
    if (c.implementation == implementation) return c.rgb;
  return "";
}

TEST(ChartColours, OursBlueKernelGreyOthersTheirOwnInLegendOrder) {
  const auto run = run_of({{"tun-rs/sync-gso", "tun-rs", "sync-gso"},
                           {"sync-gso", "tunbench", "sync-gso"},
                           kVeth,
                           {"boringtun", "boringtun", ""}});
  const auto colours = report::implementation_colours(run);
  std::vector<std::string> names;
  std::set<std::string> rgbs;
  for (const auto& c : colours) {
    names.push_back(c.implementation);
    rgbs.insert(c.rgb);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"tunbench", "kernel", "tun-rs", "boringtun"}));
  EXPECT_EQ(colour_of(run, "tunbench"), report::kOurColour);
  EXPECT_EQ(colour_of(run, "kernel"), report::kKernelColour);
  EXPECT_EQ(rgbs.size(), colours.size()) << "two implementations share a colour";
}

// tun-rs is drawn in the same colour whatever ran with it and in whichever order.
TEST(ChartColours, AnImplementationKeepsItsColourFromRunToRun) {
  const Row twin{"tun-rs/sync-gso", "tun-rs", "sync-gso"};
  const Row ours{"sync-gso", "tunbench", "sync-gso"};
  const std::vector<std::vector<Row>> runs = {
      {kVeth, ours, twin},
      {twin, ours, kVeth},
      {ours, {"boringtun", "boringtun", ""}, twin, {"wg/sync-gso", "wg", "sync-gso"}},
      {twin},
  };
  const auto first = colour_of(run_of(runs[0]), "tun-rs");
  ASSERT_FALSE(first.empty());
  EXPECT_NE(first, report::kOurColour);
  EXPECT_NE(first, report::kKernelColour);
  for (const auto& rows : runs) EXPECT_EQ(colour_of(run_of(rows), "tun-rs"), first);
}

TEST(ChartColours, EightOtherImplementationsGetEightColours) {
  std::vector<Row> rows;
  for (const char* name : {"a", "b", "c", "d", "e", "f", "g", "h"}) rows.push_back({name, name, ""});
  const auto colours = report::implementation_colours(run_of(rows));
  std::set<std::string> rgbs;
  for (const auto& c : colours) rgbs.insert(c.rgb);
  EXPECT_EQ(colours.size(), 8u);
  EXPECT_EQ(rgbs.size(), 8u);
  EXPECT_FALSE(rgbs.count(report::kOurColour));
  EXPECT_FALSE(rgbs.count(report::kKernelColour));
}

// A row built by hand without an implementation is drawn as its own, named by its label.
TEST(ChartColours, ARowWithoutAnImplementationIsItsLabel) {
  auto run = run_of({{"mystery", "x", ""}});
  run.rows[0].implementation.clear();
  EXPECT_EQ(report::drawn_implementation(run.rows[0]), "mystery");
  EXPECT_EQ(report::implementation_colours(run).at(0).implementation, "mystery");
}

}  // namespace

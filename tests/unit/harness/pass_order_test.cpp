// The order of a pass: baselines (rows another row is compared with, kernel paths) first and as given, the
// compared rows rotated one place per pass so that each takes every place; --row-order fixed
// keeps the given order; a bad value is refused naming the option.
#include "harness/pass_order.h"

#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "harness/bench.h"

namespace {

using namespace harness;

// A row whose system under test runs a process of its own (a kernel path runs none).
RowSpec row(const std::string& label, const std::string& kind, const std::string& compare_with = "kernel-veth",
            bool runs_a_process = true) {
  RowSpec r;
  r.label = label;
  r.sut.kind = kind;
  r.sut.compare_with = compare_with;
  if (runs_a_process) r.sut.processes.push_back({"forwarder", {"/bin/fwd"}, "fwd"});
  return r;
}

// The labels in the order pass_order gives.
std::vector<std::string> labels(const std::vector<RowSpec>& rows, int pass, RowOrder order) {
  std::vector<std::string> out;
  for (const auto i : pass_order(rows, pass, order)) out.push_back(rows.at(i).label);
  return out;
}

// kernel routed is a baseline twice over (B is compared with it, and it runs no process).
const std::vector<RowSpec> kRun = {row("kernel veth", "kernel-veth", "", false),
                                   row("kernel routed", "kernel-routed", "kernel-veth", false), row("A", "forwarder"),
                                   row("B", "forwarder", "kernel-routed"), row("C", "stack")};

struct OrderCase {
  const char* rule;
  int pass;
  RowOrder order;
  std::vector<std::string> expected;
};

TEST(PassOrder, BaselinesFirstAndTheOthersRotateOnePlacePerPass) {
  const std::vector<OrderCase> cases = {
      {"pass 1 runs the given order", 1, RowOrder::kRotate, {"kernel veth", "kernel routed", "A", "B", "C"}},
      {"pass 2 moves the first compared row last",
       2,
       RowOrder::kRotate,
       {"kernel veth", "kernel routed", "B", "C", "A"}},
      {"pass 3", 3, RowOrder::kRotate, {"kernel veth", "kernel routed", "C", "A", "B"}},
      {"the rotation wraps after as many passes as compared rows",
       4,
       RowOrder::kRotate,
       {"kernel veth", "kernel routed", "A", "B", "C"}},
      {"fixed keeps the given order in every pass",
       2,
       RowOrder::kFixed,
       {"kernel veth", "kernel routed", "A", "B", "C"}},
  };
  for (const auto& c : cases) EXPECT_EQ(labels(kRun, c.pass, c.order), c.expected) << c.rule;
}

TEST(PassOrder, EveryComparedRowTakesEveryPlaceOverAsManyPasses) {
  const std::size_t compared = 3;                                                     // A, B, C
  std::vector<std::vector<int>> seen(kRun.size(), std::vector<int>(kRun.size(), 0));  // [row][place]
  for (int pass = 1; pass <= static_cast<int>(compared); ++pass) {
    const auto order = pass_order(kRun, pass, RowOrder::kRotate);
    ASSERT_EQ(order.size(), kRun.size()) << "pass " << pass << ": every row once";
    for (std::size_t place = 0; place < order.size(); ++place) ++seen.at(order[place]).at(place);
  }
  for (std::size_t r = 2; r < kRun.size(); ++r)
    for (std::size_t place = 2; place < kRun.size(); ++place)
      EXPECT_EQ(seen[r][place], 1) << kRun[r].label << " at place " << place;
}

TEST(PassOrder, AKernelPathNoRowIsComparedWithStaysInFront) {
  const std::vector<RowSpec> rows = {row("kernel veth", "kernel-veth", "", false),
                                     row("kernel loopback", "kernel-loopback", "kernel-veth", false),
                                     row("A", "forwarder"), row("B", "forwarder")};
  EXPECT_EQ(labels(rows, 2, RowOrder::kRotate), (std::vector<std::string>{"kernel veth", "kernel loopback", "B", "A"}));
}

TEST(PassOrder, ARowOthersAreComparedWithStaysInFrontEvenWithAProcess) {
  const std::vector<RowSpec> rows = {row("A", "forwarder", "my-reference"), row("B", "forwarder", "my-reference"),
                                     row("ref", "my-reference", "")};
  EXPECT_EQ(labels(rows, 2, RowOrder::kRotate), (std::vector<std::string>{"ref", "B", "A"}));
}

TEST(PassOrder, ARunWithoutBaselinesRotatesEveryRow) {
  const std::vector<RowSpec> rows = {row("A", "forwarder"), row("B", "forwarder")};
  EXPECT_EQ(labels(rows, 2, RowOrder::kRotate), (std::vector<std::string>{"B", "A"}));
  EXPECT_TRUE(pass_order({}, 1, RowOrder::kRotate).empty());
}

// rotation_note: silent when every rotated row takes every place equally often, else it says what is
// uneven and which --repeat balances it.
TEST(PassOrder, UnbalancedPlacesAreNotedWithTheRepeatThatBalancesThem) {
  struct NoteCase {
    const char* rule;
    int repeat;
    RowOrder order;
    std::vector<std::string> must_say;  // empty: no note
  };
  const std::vector<NoteCase> cases = {
      {"a multiple of the three rotated rows balances", 6, RowOrder::kRotate, {}},
      {"as many passes as rotated rows balances", 3, RowOrder::kRotate, {}},
      {"fixed order rotates nothing", 2, RowOrder::kFixed, {}},
      {"a single pass is a quick look, no comparison of places", 1, RowOrder::kRotate, {}},
      {"fewer passes than rotated rows leave places untaken",
       2,
       RowOrder::kRotate,
       {"3 rows rotate over 2 passes", "only 2 of the 3 places", "--repeat 3"}},
      {"more passes but not a multiple",
       7,
       RowOrder::kRotate,
       {"3 rows rotate over 7 passes", "once more than others", "--repeat 9"}},
  };
  for (const auto& c : cases) {
    const auto note = rotation_note(kRun, c.repeat, c.order);
    if (c.must_say.empty()) {
      EXPECT_FALSE(note.has_value()) << c.rule << ": " << note.value_or("");
      continue;
    }
    ASSERT_TRUE(note.has_value()) << c.rule;
    for (const auto& words : c.must_say) EXPECT_NE(note->find(words), std::string::npos) << c.rule << ": " << *note;
  }
  // One rotated row has every place there is in every pass.
  const std::vector<RowSpec> one = {row("kernel veth", "kernel-veth", "", false), row("A", "forwarder")};
  EXPECT_FALSE(rotation_note(one, 2, RowOrder::kRotate).has_value());
}

TEST(PassOrder, ParsesTheTwoOrdersAndRefusesAnyOther) {
  EXPECT_EQ(parse_row_order("rotate"), RowOrder::kRotate);
  EXPECT_EQ(parse_row_order("fixed"), RowOrder::kFixed);
  try {
    parse_row_order("shuffle");
    FAIL() << "'shuffle' was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("--row-order"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("shuffle"), std::string::npos) << e.what();
  }
  EXPECT_STREQ(to_string(RowOrder::kRotate), "rotate");
  EXPECT_STREQ(to_string(RowOrder::kFixed), "fixed");
}

}  // namespace

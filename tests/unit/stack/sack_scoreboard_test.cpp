// The SACK scoreboard (stack/sack_scoreboard.h): which blocks count, how they merge, what falls
// off when snd_una advances or the table is full, and where the holes are.
#include "stack/sack_scoreboard.h"

#include <optional>
#include <span>
#include <vector>

#include <gtest/gtest.h>

#include "support/test_names.h"

namespace {

using stack::SackBlock;
using stack::SackScoreboard;
using tbtest::case_name;
using Blocks = std::vector<SackBlock>;

Blocks ranges(const SackScoreboard& s) { return Blocks(s.ranges().begin(), s.ranges().end()); }

struct AddRow {
  const char* name;
  std::uint32_t una, max;
  std::vector<Blocks> acks;  // the blocks of successive ACKs
  Blocks expected;
};

class ScoreboardAdd : public testing::TestWithParam<AddRow> {};

TEST_P(ScoreboardAdd, KeepsSortedDisjointRanges) {
  const auto& row = GetParam();
  SackScoreboard s;
  for (const auto& ack : row.acks) s.add(ack, row.una, row.max);
  EXPECT_EQ(ranges(s), row.expected) << row.name;
  EXPECT_EQ(s.empty(), row.expected.empty());
}

INSTANTIATE_TEST_SUITE_P(
    Rules, ScoreboardAdd,
    testing::Values(
        AddRow{"OneBlockIsKeptAsItIs", 100, 1000, {{{300, 400}}}, {{300, 400}}},
        AddRow{"BlocksOfOneACKComeOutSorted", 100, 1000, {{{700, 800}, {300, 400}}}, {{300, 400}, {700, 800}}},
        AddRow{"OverlappingBlocksMerge", 100, 1000, {{{300, 500}}, {{400, 600}}}, {{300, 600}}},
        AddRow{"TouchingBlocksMerge", 100, 1000, {{{300, 400}}, {{400, 500}}}, {{300, 500}}},
        AddRow{"ABlockBridgingTwoRangesJoinsThem", 100, 1000, {{{200, 300}, {500, 600}}, {{250, 550}}}, {{200, 600}}},
        AddRow{"ADSACKBlockAtOrBelowUnaIsIgnored", 500, 1000, {{{300, 400}, {400, 500}}}, {}},
        AddRow{"ABlockStartingBelowUnaIsCutAtUna", 500, 1000, {{{400, 700}}}, {{500, 700}}},
        AddRow{"ABlockPastWhatWeSentIsIgnored", 100, 1000, {{{900, 1100}}}, {}},
        AddRow{"AnEmptyOrInvertedBlockIsIgnored", 100, 1000, {{{300, 300}, {400, 350}}}, {}},
        AddRow{"BlocksWrapAroundSequenceZero",
               0xFFFFFF00u,
               0x200,
               {{{0xFFFFFFF0u, 0x10}, {0x100, 0x180}}},
               {{0xFFFFFFF0u, 0x10}, {0x100, 0x180}}}),
    case_name);

TEST(Scoreboard, WhenFullTheHighestRangeGoes) {
  SackScoreboard s;
  for (std::uint32_t i = 0; i < SackScoreboard::kMaxRanges; ++i) {
    const SackBlock b{1000 + 100 * i, 1050 + 100 * i};
    s.add(std::span<const SackBlock>(&b, 1), 0, 100000);
  }
  ASSERT_EQ(s.ranges().size(), SackScoreboard::kMaxRanges);
  const SackBlock low{500, 550};
  s.add(std::span<const SackBlock>(&low, 1), 0, 100000);
  ASSERT_EQ(s.ranges().size(), SackScoreboard::kMaxRanges);
  EXPECT_EQ(s.ranges().front(), (SackBlock{500, 550}));
  EXPECT_EQ(s.ranges().back(), (SackBlock{1600, 1650})) << "1700-1750 was the highest";
}

TEST(Scoreboard, AdvanceForgetsWhatUnaPassedAndCutsWhatItEntered) {
  SackScoreboard s;
  const Blocks b{{300, 400}, {500, 600}};
  s.add(b, 100, 1000);
  s.advance(400);
  EXPECT_EQ(ranges(s), (Blocks{{500, 600}}));
  s.advance(550);
  EXPECT_EQ(ranges(s), (Blocks{{550, 600}}));
  s.advance(600);
  EXPECT_TRUE(s.empty());
}

struct HoleRow {
  const char* name;
  Blocks sacked;
  std::uint32_t from;
  std::optional<SackBlock> hole;
};

class ScoreboardHole : public testing::TestWithParam<HoleRow> {};

TEST_P(ScoreboardHole, IsTheGapBelowTheNextSackedRange) {
  const auto& row = GetParam();
  SackScoreboard s;
  s.add(row.sacked, 100, 10000);
  const auto hole = s.next_hole(row.from);
  ASSERT_EQ(hole.has_value(), row.hole.has_value()) << row.name;
  if (hole) {
    EXPECT_EQ(*hole, *row.hole) << row.name;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Rules, ScoreboardHole,
    testing::Values(HoleRow{"NothingSackedNoHole", {}, 100, std::nullopt},
                    HoleRow{"TheHoleBelowTheFirstRange", {{300, 400}}, 100, SackBlock{100, 300}},
                    HoleRow{"FromInsideAHoleTheRestOfIt", {{300, 400}}, 200, SackBlock{200, 300}},
                    HoleRow{"FromInsideARangeTheHoleAfterIt", {{300, 400}, {500, 600}}, 350, SackBlock{400, 500}},
                    HoleRow{"AboveTheHighestRangeNone", {{300, 400}}, 400, std::nullopt},
                    HoleRow{"FromTheStartOfARangeTheHoleAfterIt", {{300, 400}, {500, 600}}, 300, SackBlock{400, 500}}),
    case_name);

}  // namespace

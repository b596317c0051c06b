// ReassemblyQueue: data beyond a gap, held within the window and the limits, joined into blocks,
// handed out in order once the gap is filled, and reported for SACK (docs/stack.md §Out of order).
#include "stack/reassembly.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace {

using stack::HeldBudget;
using stack::ReassemblyLimits;
using stack::ReassemblyQueue;
using stack::SackBlock;

// rcv_nxt just before the 2^32 wrap, so that held ranges cross it.
constexpr std::uint32_t kBase = 0xFFFFFF00u;
constexpr std::uint32_t kWindow = 10000;

// The client's byte at offset o from kBase, so that any held byte can be checked.
std::uint8_t byte_at(std::uint32_t o) { return static_cast<std::uint8_t>(o * 7 + 3); }
std::vector<std::uint8_t> bytes_at(std::uint32_t offset, std::uint32_t length) {
  std::vector<std::uint8_t> b(length);
  for (std::uint32_t i = 0; i < length; ++i) b[i] = byte_at(offset + i);
  return b;
}

using Range = std::pair<std::uint32_t, std::uint32_t>;  // (offset from kBase, length)

// The held blocks as (first, end) offsets from kBase, in sequence order.
std::vector<Range> blocks_of(const ReassemblyQueue& q) {
  std::vector<SackBlock> b(16);
  b.resize(q.sack_blocks(b));
  std::vector<Range> out;
  for (const auto& s : b) out.emplace_back(s.left - kBase, s.right - kBase);
  std::sort(out.begin(), out.end());
  return out;
}

struct InsertRow {
  const char* name;
  std::vector<Range> segments;  // (offset, length), inserted in this order
  std::vector<Range> blocks;    // (first, end) held afterwards
  std::size_t refused;          // bytes refused over all inserts
};

class Insert : public testing::TestWithParam<InsertRow> {};

TEST_P(Insert, HoldsEachByteOnceInsideTheWindowJoinedIntoBlocks) {
  const auto& r = GetParam();
  HeldBudget budget{0, 1 << 20};
  ReassemblyQueue q(budget, {1 << 20, 64});
  std::size_t refused = 0, stored = 0;
  for (const auto& [offset, length] : r.segments) {
    const auto s = q.insert(kBase, kWindow, kBase + offset, bytes_at(offset, length), false);
    refused += s.refused;
    stored += s.stored;
  }
  EXPECT_EQ(blocks_of(q), r.blocks);
  std::size_t expected = 0;
  for (const auto& [first, end] : r.blocks) expected += end - first;
  EXPECT_EQ(q.bytes(), expected);
  EXPECT_EQ(stored, expected) << "each byte stored once";
  EXPECT_EQ(budget.used, expected);
  EXPECT_EQ(refused, r.refused);
  EXPECT_EQ(q.pieces(), r.blocks.size()) << "adjacent bytes share one piece";
  // The bytes themselves: walk the blocks in order as if each gap had just been filled.
  for (const auto& [first, end] : r.blocks) {
    q.advance(kBase + first);
    const auto run = q.front(kBase + first);
    EXPECT_EQ(std::vector<std::uint8_t>(run.begin(), run.end()), bytes_at(first, end - first));
    q.advance(kBase + end);
  }
  EXPECT_EQ(q.bytes(), 0u);
  EXPECT_EQ(budget.used, 0u);
}

INSTANTIATE_TEST_SUITE_P(
    Segments, Insert,
    testing::Values(InsertRow{"Disjoint", {{100, 100}, {300, 100}}, {{100, 200}, {300, 400}}, 0},
                    InsertRow{"AdjacentJoin", {{100, 100}, {200, 100}}, {{100, 300}}, 0},
                    InsertRow{"AdjacentBeforeJoins", {{200, 100}, {100, 100}}, {{100, 300}}, 0},
                    InsertRow{"FillingAGapJoinsThree", {{100, 100}, {300, 100}, {200, 100}}, {{100, 400}}, 0},
                    InsertRow{"Overlap", {{100, 200}, {150, 200}}, {{100, 350}}, 0},
                    InsertRow{"CoversTwo", {{200, 50}, {400, 50}, {100, 500}}, {{100, 600}}, 0},
                    InsertRow{"Duplicate", {{100, 100}, {100, 100}, {120, 30}}, {{100, 200}}, 0},
                    InsertRow{"AcrossTheWrap", {{200, 400}}, {{200, 600}}, 0},
                    InsertRow{"TailBeyondTheWindow", {{9900, 200}}, {{9900, 10000}}, 100},
                    InsertRow{"AllBeyondTheWindow", {{10000, 10}, {50, 10}}, {{50, 60}}, 10}),
    [](const testing::TestParamInfo<InsertRow>& i) { return std::string(i.param.name); });

TEST(Limits, BytesPerQueueAndTheSharedBudgetBoundWhatIsHeld) {
  HeldBudget budget{0, 1000};
  ReassemblyQueue a(budget, {600, 64});
  ReassemblyQueue b(budget, {600, 64});
  EXPECT_EQ(a.insert(kBase, kWindow, kBase + 100, bytes_at(100, 800), false).stored, 600u) << "per queue";
  const auto s = b.insert(kBase, kWindow, kBase + 100, bytes_at(100, 800), false);
  EXPECT_EQ(s.stored, 400u) << "what is left of the budget";
  EXPECT_EQ(s.refused, 400u);
  EXPECT_EQ(budget.used, 1000u);
  a.clear();
  EXPECT_EQ(budget.used, 400u);
  {
    ReassemblyQueue c(budget, {600, 64});
    EXPECT_EQ(c.insert(kBase, kWindow, kBase + 100, bytes_at(100, 800), false).stored, 600u);
  }
  EXPECT_EQ(budget.used, 400u) << "a destroyed queue gives its bytes back";
}

TEST(Limits, PiecesBoundGapsButNotBytesThatContinueAPiece) {
  HeldBudget budget{0, 1 << 20};
  ReassemblyQueue q(budget, {1 << 20, 2});
  q.insert(kBase, kWindow, kBase + 100, bytes_at(100, 10), false);
  q.insert(kBase, kWindow, kBase + 200, bytes_at(200, 10), false);
  const auto third = q.insert(kBase, kWindow, kBase + 300, bytes_at(300, 10), false);
  EXPECT_EQ(third.stored, 0u);
  EXPECT_EQ(third.refused, 10u);
  const auto continued = q.insert(kBase, kWindow, kBase + 210, bytes_at(210, 50), false);
  EXPECT_EQ(continued.stored, 50u) << "extends the second piece";
  EXPECT_EQ(q.pieces(), 2u);
}

TEST(Sack, TheLatestSegmentsBlockComesFirstAndTheRestInOrderUpToTheRoom) {
  HeldBudget budget{0, 1 << 20};
  ReassemblyQueue q(budget, {1 << 20, 64});
  for (const std::uint32_t o : {100u, 300u, 500u, 700u, 900u})
    q.insert(kBase, kWindow, kBase + o, bytes_at(o, 50), false);
  q.insert(kBase, kWindow, kBase + 520, bytes_at(520, 10), false);  // inside [500, 550): already held
  std::array<SackBlock, 3> out{};
  ASSERT_EQ(q.sack_blocks(out), 3u);
  EXPECT_EQ(out[0].left, kBase + 500);
  EXPECT_EQ(out[0].right, kBase + 550);
  EXPECT_EQ(out[1].left, kBase + 100);
  EXPECT_EQ(out[2].left, kBase + 300);
}

TEST(Advance, DropsDeliveredBytesAndTrimsAPieceItEndsInside) {
  HeldBudget budget{0, 1 << 20};
  ReassemblyQueue q(budget, {1 << 20, 64});
  q.insert(kBase, kWindow, kBase + 100, bytes_at(100, 100), false);
  q.insert(kBase, kWindow, kBase + 300, bytes_at(300, 100), false);
  q.advance(kBase + 150);
  EXPECT_EQ(q.bytes(), 150u);
  EXPECT_EQ(budget.used, 150u);
  const auto run = q.front(kBase + 150);
  EXPECT_EQ(std::vector<std::uint8_t>(run.begin(), run.end()), bytes_at(150, 50));
  EXPECT_TRUE(q.front(kBase + 149).empty()) << "a gap before the first held byte";
  q.advance(kBase + 400);
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(budget.used, 0u);
}

TEST(Fin, IsDueOnlyOnceEveryByteBeforeItWasDelivered) {
  HeldBudget budget{0, 1 << 20};
  ReassemblyQueue q(budget, {1 << 20, 64});
  q.insert(kBase, kWindow, kBase + 100, bytes_at(100, 100), true);
  EXPECT_FALSE(q.fin_at(kBase + 200)) << "bytes before it still held";
  q.advance(kBase + 200);
  EXPECT_TRUE(q.fin_at(kBase + 200));
  EXPECT_FALSE(q.empty()) << "the FIN itself is still held";
}

TEST(Fin, IsNotRememberedWhenPartOfItsSegmentWasRefused) {
  HeldBudget budget{0, 1 << 20};
  ReassemblyQueue q(budget, {50, 64});
  const auto s = q.insert(kBase, kWindow, kBase + 100, bytes_at(100, 100), true);
  EXPECT_EQ(s.refused, 50u);
  q.advance(kBase + 200);
  EXPECT_FALSE(q.fin_at(kBase + 200));
  EXPECT_TRUE(q.empty());
}

TEST(Fin, ABareFinBeyondTheGapIsHeld) {
  HeldBudget budget{0, 1 << 20};
  ReassemblyQueue q(budget, {1 << 20, 64});
  const auto s = q.insert(kBase, kWindow, kBase + 100, {}, true);
  EXPECT_EQ(s.stored + s.refused, 0u);
  EXPECT_FALSE(q.fin_at(kBase + 99));
  EXPECT_TRUE(q.fin_at(kBase + 100));
}

}  // namespace

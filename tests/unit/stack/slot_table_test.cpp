// SlotTable: tokens find their object until it is gone; a reused slot's new generation makes the
// old token stale; the owner's bit 63 survives and does not disturb the lookup.
#include "stack/slot_table.h"

#include <gtest/gtest.h>

namespace {

using stack::SlotTable;

TEST(SlotTable, ATokenFindsItsObjectUntilItIsErased) {
  SlotTable<int> t;
  const auto r = t.reserve();
  int* p = t.fill(r.slot, std::make_unique<int>(7));
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(t.find(r.token), p);
  EXPECT_EQ(t.at(r.slot), p);
  t.erase(r.token);
  EXPECT_EQ(t.find(r.token), nullptr);
  EXPECT_EQ(t.at(r.slot), nullptr);
}

TEST(SlotTable, AReusedSlotMakesTheOldTokenStale) {
  SlotTable<int> t;
  const auto first = t.reserve();
  t.fill(first.slot, std::make_unique<int>(1));
  t.erase(first.token);
  const auto second = t.reserve();
  int* p = t.fill(second.slot, std::make_unique<int>(2));
  EXPECT_EQ(second.slot, first.slot) << "a freed slot is reused first";
  EXPECT_NE(second.token, first.token);
  EXPECT_EQ(t.find(first.token), nullptr) << "an event for the old object must not reach the new one";
  EXPECT_EQ(t.find(second.token), p);
}

TEST(SlotTable, TheOwnersTagBitIsKeptAndIgnoredByTheLookup) {
  constexpr std::uint64_t kTag = std::uint64_t{1} << 63;
  SlotTable<int> t;
  const auto r = t.reserve(kTag);
  int* p = t.fill(r.slot, std::make_unique<int>(3));
  EXPECT_NE(r.token & kTag, 0u);
  EXPECT_NE(r.token >> 32 & 0x7FFFFFFFu, 0u) << "generation 0 is never issued";
  EXPECT_EQ(t.find(r.token), p);
}

TEST(SlotTable, ACancelledReservationFreesItsSlot) {
  SlotTable<int> t;
  const auto r = t.reserve();
  t.cancel(r.slot);
  EXPECT_EQ(t.find(r.token), nullptr);
  const auto again = t.reserve();
  EXPECT_EQ(again.slot, r.slot);
  EXPECT_NE(again.token, r.token);
}

}  // namespace

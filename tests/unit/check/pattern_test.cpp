// The seeded stream a check sends (check/pattern.h): any offset recomputes the same bytes, and
// the first changed byte is found where it is.
#include "check/pattern.h"

#include <algorithm>
#include <vector>

#include <gtest/gtest.h>

namespace {

TEST(Pattern, AnyOffsetGivesTheSameBytesAsTheWholeStream) {
  const check::Pattern p(42);
  std::vector<std::uint8_t> whole(1000);
  p.fill(0, whole);
  for (std::size_t off : {1u, 7u, 8u, 9u, 333u}) {
    std::vector<std::uint8_t> piece(100);
    p.fill(off, piece);
    EXPECT_TRUE(std::equal(piece.begin(), piece.end(), whole.begin() + static_cast<std::ptrdiff_t>(off))) << off;
  }
}

TEST(Pattern, SeedsGiveDifferentStreams) {
  std::vector<std::uint8_t> a(64), b(64);
  check::Pattern(1).fill(0, a);
  check::Pattern(2).fill(0, b);
  EXPECT_NE(a, b);
}

TEST(Pattern, FirstMismatchNamesTheChangedByte) {
  const check::Pattern p(7);
  std::vector<std::uint8_t> bytes(500);
  p.fill(1000, bytes);
  EXPECT_FALSE(p.first_mismatch(1000, bytes));
  bytes[123] ^= 0x01;
  const auto at = p.first_mismatch(1000, bytes);
  ASSERT_TRUE(at);
  EXPECT_EQ(*at, 123u);
  // The right bytes at the wrong offset (a segment delivered out of place) do not match.
  std::vector<std::uint8_t> shifted(500);
  p.fill(1001, shifted);
  EXPECT_TRUE(p.first_mismatch(1000, shifted));
}

}  // namespace

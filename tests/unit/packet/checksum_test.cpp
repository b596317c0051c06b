#include "packet/checksum.h"

#include <array>
#include <cstdint>
#include <numeric>
#include <vector>

#include <gtest/gtest.h>

namespace packet {
namespace {

// Straight RFC 1071 reference: 16-bit big-endian words, one at a time.
std::uint16_t reference_fold(std::span<const std::uint8_t> b) {
  std::uint32_t s = 0;
  for (std::size_t i = 0; i + 1 < b.size(); i += 2) s += (b[i] << 8) | b[i + 1];
  if (b.size() % 2) s += b.back() << 8;
  while (s >> 16) s = (s & 0xFFFF) + (s >> 16);
  return static_cast<std::uint16_t>(s);
}

TEST(Checksum, Rfc1071ExampleBytesSumTo0xDDF2) {
  // RFC 1071 §3 worked example: 00 01 f2 03 f4 f5 f6 f7 -> sum ddf2.
  const std::array<std::uint8_t, 8> b{0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  EXPECT_EQ(fold(sum_bytes(b)), 0xDDF2);
  EXPECT_EQ(finish(sum_bytes(b)), static_cast<std::uint16_t>(~0xDDF2));
}

TEST(Checksum, MatchesWordByWordReferenceForEveryLengthAndAlignment) {
  std::vector<std::uint8_t> data(300);
  std::uint32_t x = 12345;
  for (auto& b : data) b = static_cast<std::uint8_t>((x = x * 1103515245 + 12345) >> 16);
  for (std::size_t off = 0; off < 4; ++off) {
    for (std::size_t len = 0; len + off <= data.size(); ++len) {
      std::span<const std::uint8_t> s(data.data() + off, len);
      ASSERT_EQ(fold(sum_bytes(s)), reference_fold(s)) << "off=" << off << " len=" << len;
    }
  }
}

TEST(Checksum, SumsCombineAcrossEvenSplits) {
  std::vector<std::uint8_t> data(101);
  std::iota(data.begin(), data.end(), 7);
  std::span<const std::uint8_t> all(data);
  EXPECT_EQ(fold(sum_bytes(all.subspan(40), sum_bytes(all.first(40)))), fold(sum_bytes(all)));
}

TEST(Checksum, IncrementalUpdateEqualsRecomputation) {
  std::array<std::uint8_t, 20> hdr{0x45, 0, 0, 0x54, 0x12, 0x34, 0x40, 0, 64, 6, 0, 0, 10, 0, 1, 1, 10, 0, 2, 1};
  const std::uint16_t before = finish(sum_bytes(hdr));
  // change the total length word 0x0054 -> 0x05dc
  hdr[2] = 0x05;
  hdr[3] = 0xdc;
  EXPECT_EQ(incremental_update(before, 0x0054, 0x05dc), finish(sum_bytes(hdr)));
}

TEST(Checksum, PseudoHeaderV4CountsAddressesProtocolAndLength) {
  const std::array<std::uint8_t, 4> src{10, 0, 1, 1}, dst{10, 0, 2, 1};
  const std::array<std::uint8_t, 12> manual{10, 0, 1, 1, 10, 0, 2, 1, 0, 6, 0x05, 0xc8};
  EXPECT_EQ(fold(pseudo_header_sum_v4(src, dst, 6, 0x05c8)), fold(sum_bytes(manual)));
}

TEST(Checksum, PseudoHeaderV6CountsThirtyTwoBitLength) {
  std::array<std::uint8_t, 16> src{}, dst{};
  src[0] = 0xfd;
  src[15] = 1;
  dst[0] = 0xfd;
  dst[15] = 2;
  std::array<std::uint8_t, 40> manual{};
  std::copy(src.begin(), src.end(), manual.begin());
  std::copy(dst.begin(), dst.end(), manual.begin() + 16);
  manual[33] = 0x01;  // length 0x00010010
  manual[34] = 0x00;
  manual[35] = 0x10;
  manual[39] = 17;
  EXPECT_EQ(fold(pseudo_header_sum_v6(src, dst, 17, 0x00010010)), fold(sum_bytes(manual)));
}

}  // namespace
}  // namespace packet

#include "packet/checksum.h"

#include <bit>
#include <cstring>

namespace packet {

static_assert(std::endian::native == std::endian::little, "sum_bytes folds native words as little-endian");

std::uint64_t sum_bytes(std::span<const std::uint8_t> bytes, std::uint64_t initial) {
  // Sum 32-bit native words into a 64-bit accumulator, then fix up byte order once at the end:
  // the one's-complement sum is byte-order independent up to a final swap (RFC 1071 §2(B)).
  const std::uint8_t* p = bytes.data();
  std::size_t n = bytes.size();
  std::uint64_t acc = 0;
  while (n >= 32) {
    std::uint32_t w[8];
    std::memcpy(w, p, sizeof w);
    acc += std::uint64_t{w[0]} + w[1] + w[2] + w[3] + w[4] + w[5] + w[6] + w[7];
    p += 32;
    n -= 32;
  }
  while (n >= 4) {
    std::uint32_t w;
    std::memcpy(&w, p, 4);
    acc += w;
    p += 4;
    n -= 4;
  }
  if (n >= 2) {
    std::uint16_t w;
    std::memcpy(&w, p, 2);
    acc += w;
    p += 2;
    n -= 2;
  }
  if (n == 1) {
    // Padding the odd byte with zero: in little-endian memory order the byte is the low half.
    acc += *p;
  }
  // Fold to 16 bits in host order, then swap to network order (x86/arm64 are little-endian).
  std::uint16_t host = fold(acc);
  std::uint16_t be = static_cast<std::uint16_t>((host >> 8) | (host << 8));
  return initial + be;
}

std::uint64_t pseudo_header_sum_v4(std::span<const std::uint8_t, 4> src, std::span<const std::uint8_t, 4> dst,
                                   std::uint8_t protocol, std::uint32_t l4_length) {
  std::uint64_t s = sum_bytes(src);
  s = sum_bytes(dst, s);
  return s + protocol + (l4_length & 0xFFFF) + (l4_length >> 16);
}

std::uint64_t pseudo_header_sum_v6(std::span<const std::uint8_t, 16> src, std::span<const std::uint8_t, 16> dst,
                                   std::uint8_t next_header, std::uint32_t l4_length) {
  std::uint64_t s = sum_bytes(src);
  s = sum_bytes(dst, s);
  return s + next_header + (l4_length & 0xFFFF) + (l4_length >> 16);
}

}  // namespace packet

#pragma once
// Internet checksum (RFC 1071) pieces: a running 32-bit sum that callers combine,
// folding, the pseudo-headers of IPv4/IPv6, and incremental update (RFC 1624).
#include <cstdint>
#include <span>

namespace packet {

// One's-complement sum of big-endian 16-bit words; an odd tail byte is padded with zero.
// The result is unfolded: combine several with add_sums(), then fold().
std::uint64_t sum_bytes(std::span<const std::uint8_t> bytes, std::uint64_t initial = 0);

inline std::uint64_t add_sums(std::uint64_t a, std::uint64_t b) { return a + b; }

// Folds a running sum to 16 bits (no inversion).
inline std::uint16_t fold(std::uint64_t s) {
  while (s >> 16) s = (s & 0xFFFF) + (s >> 16);
  return static_cast<std::uint16_t>(s);
}

// The value that goes into a checksum field: the inverted folded sum.
inline std::uint16_t finish(std::uint64_t s) { return static_cast<std::uint16_t>(~fold(s)); }

// Pseudo-header sums; l4_length counts the L4 header plus payload.
std::uint64_t pseudo_header_sum_v4(std::span<const std::uint8_t, 4> src, std::span<const std::uint8_t, 4> dst,
                                   std::uint8_t protocol, std::uint32_t l4_length);
std::uint64_t pseudo_header_sum_v6(std::span<const std::uint8_t, 16> src, std::span<const std::uint8_t, 16> dst,
                                   std::uint8_t next_header, std::uint32_t l4_length);

// RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m') for one 16-bit word changing from m to m'.
inline std::uint16_t incremental_update(std::uint16_t checksum, std::uint16_t old_word, std::uint16_t new_word) {
  std::uint32_t s = static_cast<std::uint16_t>(~checksum) + static_cast<std::uint16_t>(~old_word) + new_word;
  return static_cast<std::uint16_t>(~fold(s));
}

// A sum over bytes that verifies: the checksum field included, the total folds to 0xFFFF.
inline bool sum_verifies(std::uint64_t s) { return fold(s) == 0xFFFF; }

}  // namespace packet

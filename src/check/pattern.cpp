#include "check/pattern.h"

namespace check {

// splitmix64 of (seed, word index): counter-based, so any offset is computed directly.
std::uint64_t Pattern::word(std::uint64_t index) const {
  std::uint64_t z = seed_ + (index + 1) * 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

void Pattern::fill(std::uint64_t offset, std::span<std::uint8_t> out) const {
  for (std::size_t i = 0; i < out.size();) {
    const std::uint64_t at = offset + i;
    const std::uint64_t w = word(at / 8);
    for (auto b = at % 8; b < 8 && i < out.size(); ++b, ++i) out[i] = static_cast<std::uint8_t>(w >> (8 * b));
  }
}

std::optional<std::size_t> Pattern::first_mismatch(std::uint64_t offset, std::span<const std::uint8_t> bytes) const {
  for (std::size_t i = 0; i < bytes.size();) {
    const std::uint64_t at = offset + i;
    const std::uint64_t w = word(at / 8);
    for (auto b = at % 8; b < 8 && i < bytes.size(); ++b, ++i)
      if (bytes[i] != static_cast<std::uint8_t>(w >> (8 * b))) return i;
  }
  return std::nullopt;
}

}  // namespace check

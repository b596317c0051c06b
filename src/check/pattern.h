#pragma once
// The bytes a check sends: a seeded pseudo-random stream whose byte at any offset can be
// recomputed, so a receiver verifies each chunk where it lands and names the first wrong offset
// (a hash would only say "different").
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace check {

class Pattern {
 public:
  explicit Pattern(std::uint64_t seed) : seed_(seed) {}

  // Fills `out` with the stream's bytes from `offset` on.
  void fill(std::uint64_t offset, std::span<std::uint8_t> out) const;
  // The index in `bytes` of the first byte that differs from the stream at `offset`, or nullopt.
  std::optional<std::size_t> first_mismatch(std::uint64_t offset, std::span<const std::uint8_t> bytes) const;

 private:
  std::uint64_t word(std::uint64_t index) const;
  std::uint64_t seed_;
};

}  // namespace check

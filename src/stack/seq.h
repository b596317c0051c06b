#pragma once
// TCP sequence numbers compare modulo 2^32 (RFC 9293 §3.4): a is before b when b - a, as a
// signed 32-bit difference, is positive.
#include <cstdint>

namespace stack {

inline bool seq_lt(std::uint32_t a, std::uint32_t b) { return static_cast<std::int32_t>(a - b) < 0; }
inline bool seq_le(std::uint32_t a, std::uint32_t b) { return static_cast<std::int32_t>(a - b) <= 0; }
inline bool seq_gt(std::uint32_t a, std::uint32_t b) { return seq_lt(b, a); }
inline bool seq_ge(std::uint32_t a, std::uint32_t b) { return seq_le(b, a); }

}  // namespace stack

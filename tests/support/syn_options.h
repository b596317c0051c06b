#pragma once
// The TCP options of a SYN as Linux sends them, for the stack's unit tests and its fuzzer.
#include <cstdint>
#include <vector>

#include "stack/tcp_options.h"

namespace tbtest {

// SYN option bytes: MSS, SACK-permitted, timestamps (val, 0), NOP, window scale — as Linux sends.
inline std::vector<std::uint8_t> linux_syn_options(std::uint16_t mss, std::uint8_t wscale, std::uint32_t ts_val) {
  return {stack::kOptMss,
          4,
          static_cast<std::uint8_t>(mss >> 8),
          static_cast<std::uint8_t>(mss),
          stack::kOptSackPermitted,
          2,
          stack::kOptTimestamps,
          10,
          static_cast<std::uint8_t>(ts_val >> 24),
          static_cast<std::uint8_t>(ts_val >> 16),
          static_cast<std::uint8_t>(ts_val >> 8),
          static_cast<std::uint8_t>(ts_val),
          0,
          0,
          0,
          0,
          stack::kOptNop,
          stack::kOptWindowScale,
          3,
          wscale};
}

}  // namespace tbtest

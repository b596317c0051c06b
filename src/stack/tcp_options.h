#pragma once
// TCP options the stack reads and writes (RFC 9293 MSS, RFC 7323 window scale and timestamps,
// RFC 2018 SACK): parsed from a segment's option bytes, and built for the segments we send.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace stack {

inline constexpr std::uint8_t kOptEnd = 0, kOptNop = 1, kOptMss = 2, kOptWindowScale = 3, kOptSackPermitted = 4,
                              kOptSack = 5, kOptTimestamps = 8;
inline constexpr std::uint8_t kMaxWindowScale = 14;  // RFC 7323 §2.3

struct SackBlock {
  std::uint32_t left = 0;   // first sequence number of the block
  std::uint32_t right = 0;  // one past the last
  friend bool operator==(const SackBlock&, const SackBlock&) = default;
};

struct TcpOptions {
  std::optional<std::uint16_t> mss;
  std::optional<std::uint8_t> window_scale;  // clamped to kMaxWindowScale
  bool sack_permitted = false;
  std::optional<std::uint32_t> ts_val;
  std::uint32_t ts_ecr = 0;
  std::array<SackBlock, 4> sack{};
  std::size_t sack_count = 0;
};

// Parses option bytes; false when they are malformed (a length that runs past the end or is
// shorter than its kind allows). Unknown kinds are skipped.
bool parse_tcp_options(std::span<const std::uint8_t> bytes, TcpOptions& out);

// Option bytes of our SYN-ACK: MSS always; window scale, SACK-permitted and timestamps when
// the client's SYN offered them (RFC 7323 §2.2, RFC 2018 §2). Padded to a multiple of 4.
struct SynAckOptions {
  std::uint16_t mss = 0;
  std::optional<std::uint8_t> window_scale;
  bool sack_permitted = false;
  std::optional<std::uint32_t> ts_val;
  std::uint32_t ts_ecr = 0;
};
std::size_t write_syn_ack_options(const SynAckOptions& o, std::span<std::uint8_t, 40> out);

// The timestamps option of a non-SYN segment (NOP, NOP, TS): 12 bytes.
inline constexpr std::size_t kTimestampOptionSize = 12;
void write_timestamps(std::uint32_t ts_val, std::uint32_t ts_ecr, std::span<std::uint8_t, kTimestampOptionSize> out);

// A SACK option (NOP, NOP, SACK with its blocks: 4 + 8 per block) of as many of `blocks` as fit
// in `out` (at most 4: 36 bytes; 3 beside the timestamps). Returns the bytes written, 0 for no blocks.
std::size_t write_sack(std::span<const SackBlock> blocks, std::span<std::uint8_t> out);

}  // namespace stack

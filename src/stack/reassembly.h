#pragma once
// Data from the client that arrived beyond a gap, held until the gap is filled (docs/stack.md
// §Out of order). Without it, one lost 64 KB TSO frame costs everything the client sent after
// it: the client's recovery then resends the rest of its window one segment per round trip.
//
// The one place the stack copies client data in user space, and bounded: only bytes inside the
// window we advertised, at most `max_bytes` per connection and a shared budget across all of
// them, in at most `max_pieces` pieces (so a client sending 1-byte fragments cannot make it
// allocate without limit). Held bytes are only SACKed (RFC 2018), never acknowledged: the ACK
// still says only what the kernel socket accepted, so dropping what is held is always allowed.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "stack/tcp_options.h"

namespace stack {

// Bytes held across all connections, and how many may be.
struct HeldBudget {
  std::size_t used = 0;
  std::size_t max = 0;
};

struct ReassemblyLimits {
  std::size_t max_bytes = 0;   // per connection
  std::size_t max_pieces = 0;  // per connection
};

class ReassemblyQueue {
 public:
  ReassemblyQueue(HeldBudget& budget, ReassemblyLimits limits) : budget_(&budget), limits_(limits) {}
  ~ReassemblyQueue() { clear(); }
  ReassemblyQueue(const ReassemblyQueue&) = delete;
  ReassemblyQueue& operator=(const ReassemblyQueue&) = delete;

  struct Stored {
    std::size_t stored = 0;   // bytes newly held
    std::size_t refused = 0;  // bytes neither held before nor now (outside the window, over a limit)
  };
  // Holds the bytes of a segment at `seq` (after rcv_nxt) that lie before rcv_nxt + window and
  // are not held yet. `fin`: the segment ends with the client's FIN, remembered when all its
  // bytes are held.
  Stored insert(std::uint32_t rcv_nxt, std::uint32_t window, std::uint32_t seq, std::span<const std::uint8_t> data,
                bool fin);

  // The held bytes that start exactly at rcv_nxt (empty while the gap is open).
  std::span<const std::uint8_t> front(std::uint32_t rcv_nxt) const;
  // Forgets every byte before rcv_nxt (delivered, or arrived in order meanwhile).
  void advance(std::uint32_t rcv_nxt);
  // Whether the client's FIN comes at rcv_nxt (every byte before it delivered).
  bool fin_at(std::uint32_t rcv_nxt) const { return fin_ && *fin_ == rcv_nxt && pieces_.empty(); }

  // The held ranges for a SACK option (RFC 2018 §4): the one with the most recently held bytes
  // first, then the others in sequence order; returns how many were written.
  std::size_t sack_blocks(std::span<SackBlock> out) const;

  bool empty() const { return pieces_.empty() && !fin_; }
  std::size_t bytes() const { return bytes_; }
  std::size_t pieces() const { return pieces_.size(); }
  void clear();

 private:
  struct Piece {
    std::uint32_t seq = 0;            // sequence number of bytes[head]
    std::vector<std::uint8_t> bytes;  // never empty past `head`
    std::size_t head = 0;             // bytes before it were delivered
    std::size_t size() const { return bytes.size() - head; }
    std::uint32_t end() const { return seq + static_cast<std::uint32_t>(size()); }
  };
  void release(std::size_t n);

  HeldBudget* budget_;
  ReassemblyLimits limits_;
  std::vector<Piece> pieces_;  // in sequence order, never overlapping
  std::size_t bytes_ = 0;
  std::optional<std::uint32_t> fin_;  // sequence number of the client's FIN, when held
  std::uint32_t recent_ = 0;          // a sequence number inside the most recently held bytes
};

}  // namespace stack

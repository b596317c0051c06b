#include "stack/sack_scoreboard.h"

#include <algorithm>

#include "stack/seq.h"

namespace stack {

void SackScoreboard::add(std::span<const SackBlock> blocks, std::uint32_t una, std::uint32_t max) {
  for (SackBlock b : blocks) {
    if (!seq_lt(b.left, b.right) || seq_gt(b.right, max) || seq_le(b.right, una)) continue;
    if (seq_lt(b.left, una)) b.left = una;
    insert(b);
  }
}

void SackScoreboard::insert(SackBlock b) {
  // Merge every range that overlaps or touches b into b, keeping the ones before and after.
  std::array<SackBlock, kMaxRanges + 1> out{};
  std::size_t n = 0;
  bool placed = false;
  for (std::size_t i = 0; i < count_; ++i) {
    const SackBlock r = ranges_[i];
    if (seq_lt(r.right, b.left)) {
      out[n++] = r;
    } else if (seq_lt(b.right, r.left)) {
      if (!placed) {
        out[n++] = b;
        placed = true;
      }
      out[n++] = r;
    } else {
      if (seq_lt(r.left, b.left)) b.left = r.left;
      if (seq_gt(r.right, b.right)) b.right = r.right;
    }
  }
  if (!placed) out[n++] = b;
  count_ = std::min(n, kMaxRanges);  // one too many: the highest goes
  std::copy_n(out.begin(), count_, ranges_.begin());
}

void SackScoreboard::advance(std::uint32_t una) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < count_; ++i) {
    SackBlock r = ranges_[i];
    if (seq_le(r.right, una)) continue;
    if (seq_lt(r.left, una)) r.left = una;
    ranges_[n++] = r;
  }
  count_ = n;
}

std::optional<SackBlock> SackScoreboard::next_hole(std::uint32_t from) const {
  for (std::size_t i = 0; i < count_; ++i) {
    const SackBlock r = ranges_[i];
    if (seq_le(r.right, from)) continue;  // entirely below: no hole there
    if (seq_lt(from, r.left)) return SackBlock{from, r.left};
    from = r.right;  // inside a SACKed range: the next hole starts after it
  }
  return std::nullopt;
}

}  // namespace stack

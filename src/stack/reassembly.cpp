#include "stack/reassembly.h"

#include <algorithm>

#include "stack/seq.h"

namespace stack {

ReassemblyQueue::Stored ReassemblyQueue::insert(std::uint32_t rcv_nxt, std::uint32_t window, std::uint32_t seq,
                                                std::span<const std::uint8_t> data, bool fin) {
  Stored result;
  // Offsets from rcv_nxt: everything held lies within the window ahead of it, well below 2^31.
  const std::uint32_t begin = seq - rcv_nxt;
  const std::uint64_t end = std::uint64_t{begin} + data.size();
  const std::uint64_t limit = std::min<std::uint64_t>(end, window);
  if (data.empty()) {  // a bare FIN beyond the gap
    if (fin && begin < window) fin_ = seq;
    return result;
  }
  if (begin >= limit) {
    result.refused = data.size();
    return result;
  }
  std::uint64_t refused = end - limit;  // beyond the window

  // The uncovered parts of [begin, limit), each a new piece, inserted where it belongs.
  std::uint64_t cursor = begin;
  std::size_t at = 0;
  std::vector<Piece> fresh;
  // Bytes [from, to) into a new piece, or onto the end of the piece they continue (the usual
  // case: the segments after a gap arrive in order), so pieces count gaps, not segments.
  auto take = [&](std::uint64_t from, std::uint64_t to) {
    const std::uint64_t room = std::min(limits_.max_bytes - std::min(limits_.max_bytes, bytes_ + result.stored),
                                        budget_->max - std::min(budget_->max, budget_->used + result.stored));
    const std::uint32_t from_seq = rcv_nxt + static_cast<std::uint32_t>(from);
    Piece* onto = at > 0 && pieces_[at - 1].end() == from_seq ? &pieces_[at - 1] : nullptr;
    const bool may_add = onto != nullptr || pieces_.size() + fresh.size() < limits_.max_pieces;
    const std::uint64_t n = may_add ? std::min(to - from, room) : 0;
    refused += (to - from) - n;
    if (n == 0) return;
    const auto first = data.begin() + static_cast<std::ptrdiff_t>(from - begin);
    const auto last = first + static_cast<std::ptrdiff_t>(n);
    if (onto != nullptr) {
      onto->bytes.insert(onto->bytes.end(), first, last);
    } else {
      Piece p;
      p.seq = from_seq;
      p.bytes.assign(first, last);
      fresh.push_back(std::move(p));
    }
    result.stored += n;
    recent_ = from_seq;
  };
  std::vector<std::pair<std::size_t, std::size_t>> positions;  // (index in pieces_, count in fresh)
  for (; at < pieces_.size() && cursor < limit; ++at) {
    const std::uint64_t ps = pieces_[at].seq - rcv_nxt;
    const std::uint64_t pe = ps + pieces_[at].size();
    if (pe <= cursor) continue;
    if (ps >= limit) break;
    const std::size_t before = fresh.size();
    if (ps > cursor) take(cursor, ps);
    if (fresh.size() != before) positions.emplace_back(at, fresh.size() - before);
    recent_ = pieces_[at].seq;  // already held: still the block this segment belongs to
    cursor = std::max(cursor, pe);
  }
  if (cursor < limit) {
    const std::size_t before = fresh.size();
    take(cursor, limit);
    if (fresh.size() != before) positions.emplace_back(at, fresh.size() - before);
  }
  // Insert back to front so that earlier indices stay valid.
  std::size_t next = fresh.size();
  for (auto it = positions.rbegin(); it != positions.rend(); ++it) {
    next -= it->second;
    pieces_.insert(pieces_.begin() + static_cast<std::ptrdiff_t>(it->first),
                   std::make_move_iterator(fresh.begin() + static_cast<std::ptrdiff_t>(next)),
                   std::make_move_iterator(fresh.begin() + static_cast<std::ptrdiff_t>(next + it->second)));
  }
  // A filled gap joins its neighbours: the right one moves onto the left.
  for (std::size_t i = 0; i + 1 < pieces_.size();) {
    if (pieces_[i].end() != pieces_[i + 1].seq) {
      ++i;
      continue;
    }
    Piece& right = pieces_[i + 1];
    pieces_[i].bytes.insert(pieces_[i].bytes.end(), right.bytes.begin() + static_cast<std::ptrdiff_t>(right.head),
                            right.bytes.end());
    pieces_.erase(pieces_.begin() + static_cast<std::ptrdiff_t>(i + 1));
  }
  bytes_ += result.stored;
  budget_->used += result.stored;
  result.refused = static_cast<std::size_t>(refused);
  if (fin && refused == 0) fin_ = seq + static_cast<std::uint32_t>(data.size());
  return result;
}

std::span<const std::uint8_t> ReassemblyQueue::front(std::uint32_t rcv_nxt) const {
  if (pieces_.empty() || pieces_.front().seq != rcv_nxt) return {};
  const Piece& p = pieces_.front();
  return std::span<const std::uint8_t>(p.bytes).subspan(p.head);
}

void ReassemblyQueue::advance(std::uint32_t rcv_nxt) {
  std::size_t gone = 0;
  while (gone < pieces_.size() && seq_le(pieces_[gone].end(), rcv_nxt)) release(pieces_[gone++].size());
  pieces_.erase(pieces_.begin(), pieces_.begin() + static_cast<std::ptrdiff_t>(gone));
  if (!pieces_.empty() && seq_lt(pieces_.front().seq, rcv_nxt)) {
    Piece& p = pieces_.front();
    const std::uint32_t n = rcv_nxt - p.seq;
    p.head += n;
    p.seq = rcv_nxt;
    release(n);
  }
  if (fin_ && seq_lt(*fin_, rcv_nxt)) fin_.reset();
}

std::size_t ReassemblyQueue::sack_blocks(std::span<SackBlock> out) const {
  // insert() joins adjacent pieces, so each piece is one block.
  const auto contains_recent = [&](const Piece& p) { return seq_le(p.seq, recent_) && seq_lt(recent_, p.end()); };
  const auto recent = std::find_if(pieces_.begin(), pieces_.end(), contains_recent);
  std::size_t n = 0;
  if (recent != pieces_.end() && n < out.size()) out[n++] = {recent->seq, recent->end()};
  for (auto it = pieces_.begin(); it != pieces_.end() && n < out.size(); ++it)
    if (it != recent) out[n++] = {it->seq, it->end()};
  return n;
}

void ReassemblyQueue::release(std::size_t n) {
  bytes_ -= n;
  budget_->used -= n;
}

void ReassemblyQueue::clear() {
  release(bytes_);
  pieces_.clear();
  fin_.reset();
}

}  // namespace stack

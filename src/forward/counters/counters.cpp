#include "forward/counters/counters.h"

#include <fmt/format.h>

namespace forward {

namespace {
void add(std::atomic<std::uint64_t>& a, std::uint64_t& v) {
  if (v != 0) a.fetch_add(v, std::memory_order_relaxed);  // skip the locked add when idle
  v = 0;
}
}  // namespace

void DirectionCounters::flush(Tally& t) {
  add(reads_, t.reads);
  add(packets_, t.packets);
  add(written_, t.written);
  add(writes_, t.writes);
  add(bytes_, t.bytes);
  add(batches_, t.batches);
  add(gso_fallbacks_, t.gso_fallbacks);
  for (std::size_t i = 0; i < kDropReasonCount; ++i) add(drops_[i], t.drops[i]);
}

Tally DirectionCounters::snapshot() const {
  constexpr auto r = std::memory_order_relaxed;
  Tally t;
  t.reads = reads_.load(r);
  t.packets = packets_.load(r);
  t.written = written_.load(r);
  t.writes = writes_.load(r);
  t.bytes = bytes_.load(r);
  t.batches = batches_.load(r);
  t.gso_fallbacks = gso_fallbacks_.load(r);
  for (std::size_t i = 0; i < kDropReasonCount; ++i) t.drops[i] = drops_[i].load(r);
  return t;
}

std::string format_direction(const std::string& from, const std::string& to, const Tally& t) {
  std::string s = fmt::format("{}→{}: packets {} written {} bytes {} batches {} drops {}", from, to, t.packets,
                              t.written, t.bytes, t.batches, t.dropped());
  if (t.dropped() != 0) {
    s += " (";
    bool first = true;
    for (std::size_t i = 0; i < kDropReasonCount; ++i) {
      if (t.drops[i] == 0) continue;
      s += fmt::format("{}{} {}", first ? "" : ", ", to_string(static_cast<DropReason>(i)), t.drops[i]);
      first = false;
    }
    s += ")";
  }
  s += fmt::format(" [reads {} writes {} gso-fallbacks {}]", t.reads, t.writes, t.gso_fallbacks);
  return s;
}

std::string Counters::format() const {
  return format_direction(names_[0], names_[1], snapshot(0)) + "\n" +
         format_direction(names_[1], names_[0], snapshot(1)) + "\n";
}

}  // namespace forward

#pragma once
// Shared per-direction counters: relaxed atomics (only totals matter, nothing is ordered by
// them), fed by Tally flushes from the forwarding threads.
#include <array>
#include <atomic>
#include <cstddef>
#include <ostream>
#include <string>

#include "forward/counters/tally.h"

namespace forward {

class DirectionCounters {
 public:
  // Adds a thread's local counts and clears them.
  void flush(Tally& local);
  Tally snapshot() const;

 private:
  std::atomic<std::uint64_t> reads_{0}, packets_{0}, written_{0}, writes_{0}, bytes_{0}, batches_{0}, gso_fallbacks_{0};
  std::array<std::atomic<std::uint64_t>, kDropReasonCount> drops_{};
};

// Direction 0 is first→second device, 1 the mirror way.
class Counters {
 public:
  Counters(std::string first, std::string second) : names_{std::move(first), std::move(second)} {}

  DirectionCounters& direction(std::size_t i) { return dirs_[i]; }
  const DirectionCounters& direction(std::size_t i) const { return dirs_[i]; }
  Tally snapshot(std::size_t i) const { return dirs_[i].snapshot(); }
  const std::string& from(std::size_t i) const { return names_[i]; }
  const std::string& to(std::size_t i) const { return names_[1 - i]; }

  // One line per direction: "tun11→tun22: packets 123 written 123 bytes 456 batches 7 drops 0"
  // followed by "(reason n, …)" when there were drops and the fallback/read/write counts.
  std::string format() const;
  void print(std::ostream& out) const { out << format(); }

 private:
  std::array<std::string, 2> names_;
  std::array<DirectionCounters, 2> dirs_;
};

std::string format_direction(const std::string& from, const std::string& to, const Tally& t);

}  // namespace forward

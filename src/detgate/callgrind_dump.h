#pragma once
// One callgrind profile dump (the format of callgrind.out files, "callgrind format" version 1):
// what tb-detgate needs from each row tunreplay dumped: the row's label (the dump's trigger), the
// event totals, and every function's own (self) cost in instructions.
#include <cstdint>
#include <istream>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace detgate {

struct CallgrindDump {
  std::string label;                  // "MODE/WORKLOAD": the CALLGRIND_DUMP_STATS_AT string
  std::vector<std::string> events;    // e.g. Ir, or Ir I1mr ILmr Dr D1mr DLmr Dw D1mw DLmw with --cache-sim=yes
  std::vector<std::uint64_t> totals;  // per event
  std::map<std::string, std::uint64_t> self_ir;  // function → instructions executed in it (not its callees)

  std::optional<std::uint64_t> total(const std::string& event) const;
  // Cycles as callgrind_annotate estimates them: Ir + 10 × L1 misses + 100 × last-level misses;
  // nothing without --cache-sim=yes.
  std::optional<std::uint64_t> estimated_cycles() const;
};

// Parses one dump; throws std::runtime_error naming the line when it is not callgrind format.
// Accepts compressed names ("fn=(12) name", later "fn=(12)") and relative positions ("+3", "*").
CallgrindDump parse_callgrind(std::istream& in);

}  // namespace detgate

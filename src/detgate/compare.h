#pragma once
// The gate's rules for one row (mode × workload), measured twice on each side (docs/det-gate.md):
//   unstable      the two runs of either side differ by more than 0.5 % (instructions): not judged
//   fail          head ≥ 3 % more instructions per segment than base
//   warn          1 % to 3 % more
//   improved      1 % or more fewer
//   unchanged     within ±1 %
//   broken        the head row failed (did not forward everything) or is missing: fails the gate
//   new           no base row to compare with: not judged
// and, apart from the verdict, a flag when device calls per segment (reads, writes, GSO writes,
// and the kernel socket calls of tunstack's rows) differ between base and head: the system calls
// changed, which instruction counts cannot weigh, so the iperf3 gate should run. Device calls that
// differ between a side's own two runs are reported as unstable instead of flagged.
#include <optional>
#include <string>

#include "detgate/run.h"

namespace detgate {

enum class Verdict { kUnchanged, kImproved, kWarn, kFail, kUnstable, kBroken, kNew };
const char* to_string(Verdict v);
bool fails_gate(Verdict v);

struct Thresholds {
  double fail_pct = 3.0;
  double warn_pct = 1.0;
  double unstable_pct = 0.5;
};

struct RowComparison {
  std::string label;
  std::string mode;
  std::string workload;
  Verdict verdict = Verdict::kUnchanged;
  double base_ir_per_segment = 0;  // mean of the two runs
  double head_ir_per_segment = 0;
  double change_pct = 0;       // head vs base, instructions per segment
  double base_spread_pct = 0;  // between the side's two runs
  double head_spread_pct = 0;
  bool device_calls_changed = false;
  bool device_calls_unstable = false;
  std::optional<RowRun> base;  // run 1 of each side, for the report's other columns
  std::optional<RowRun> head;
};

// Any argument may be null (a row a run lacks).
RowComparison compare_row(const RowRun* base1, const RowRun* base2, const RowRun* head1, const RowRun* head2,
                          const Thresholds& t = {});

// Spread of two measurements in per cent of the smaller (0 when both are 0).
double spread_pct(double a, double b);

}  // namespace detgate

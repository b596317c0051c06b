#include "detgate/compare.h"

#include <algorithm>
#include <cmath>

namespace detgate {

const char* to_string(Verdict v) {
  switch (v) {
    case Verdict::kUnchanged: return "unchanged";
    case Verdict::kImproved: return "improved";
    case Verdict::kWarn: return "warn";
    case Verdict::kFail: return "FAIL";
    case Verdict::kUnstable: return "unstable";
    case Verdict::kBroken: return "BROKEN";
    case Verdict::kNew: return "new";
  }
  return "?";
}

bool fails_gate(Verdict v) { return v == Verdict::kFail || v == Verdict::kBroken; }

double spread_pct(double a, double b) {
  const double lo = std::min(a, b);
  if (lo <= 0) return a == b ? 0.0 : 100.0;
  return std::abs(a - b) / lo * 100.0;
}

namespace {

bool usable(const RowRun* r) { return r && r->ok && r->ir && r->segments != 0; }

// Device calls per segment, compared exactly (cross-multiplied: no rounding).
bool same_calls(const RowRun& a, const RowRun& b) {
  return a.reads * b.segments == b.reads * a.segments && a.writes * b.segments == b.writes * a.segments &&
         a.gso_writes * b.segments == b.gso_writes * a.segments &&
         a.socket_calls * b.segments == b.socket_calls * a.segments;
}

}  // namespace

RowComparison compare_row(const RowRun* base1, const RowRun* base2, const RowRun* head1, const RowRun* head2,
                          const Thresholds& t) {
  RowComparison c;
  for (const RowRun* r : {head1, base1, head2, base2})
    if (r) {
      c.label = r->label;
      c.mode = r->mode;
      c.workload = r->workload;
      break;
    }
  if (base1) c.base = *base1;
  if (head1) c.head = *head1;
  if (!usable(head1) || !usable(head2)) {
    c.verdict = Verdict::kBroken;
    return c;
  }
  c.head_ir_per_segment = (head1->ir_per_segment() + head2->ir_per_segment()) / 2;
  c.head_spread_pct = spread_pct(head1->ir_per_segment(), head2->ir_per_segment());
  if (!usable(base1) || !usable(base2)) {
    c.verdict = Verdict::kNew;
    return c;
  }
  c.base_ir_per_segment = (base1->ir_per_segment() + base2->ir_per_segment()) / 2;
  c.base_spread_pct = spread_pct(base1->ir_per_segment(), base2->ir_per_segment());
  c.change_pct = (c.head_ir_per_segment - c.base_ir_per_segment) / c.base_ir_per_segment * 100.0;

  if (!same_calls(*base1, *base2) || !same_calls(*head1, *head2))
    c.device_calls_unstable = true;
  else
    c.device_calls_changed = !same_calls(*base1, *head1);

  if (c.base_spread_pct > t.unstable_pct || c.head_spread_pct > t.unstable_pct)
    c.verdict = Verdict::kUnstable;
  else if (c.change_pct >= t.fail_pct)
    c.verdict = Verdict::kFail;
  else if (c.change_pct >= t.warn_pct)
    c.verdict = Verdict::kWarn;
  else if (c.change_pct <= -t.warn_pct)
    c.verdict = Verdict::kImproved;
  else
    c.verdict = Verdict::kUnchanged;
  return c;
}

}  // namespace detgate

#pragma once
// Ours against other implementations measured in the same run: each row of ours next to every
// row of another implementation that mirrors it (same mode, same direction: a twin), and each
// side's best row against the other's best. A comparison with another project counts only when
// both ran in the same `tunbench run` (per-pass figures move a lot between machines), so the
// quotient is taken pass by pass: in a pass the two rows ran back to back and were divided by the
// same baseline sample, so ours.ratio ÷ theirs.ratio of that pass is one observation.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "harness/result.h"

namespace report {

// Two rows of one run, paired by pass.
struct PairedRows {
  const harness::RowResult* ours = nullptr;
  const harness::RowResult* theirs = nullptr;
  std::optional<double> ours_ratio, theirs_ratio;  // each row's median ratio over all its passes
  // ours ÷ theirs of each pass both completed, in pass order: of their ratios, or of their Gbps
  // when either row has no ratio (a run without baselines).
  std::vector<double> quotients;
  std::size_t ahead = 0;  // passes where ours was faster
  // Wilcoxon signed-rank of log(quotient) against 0: small when one side led consistently.
  double p_value = 1;
  std::optional<double> ours_cpu_per_gbps, theirs_cpu_per_gbps;  // medians; none for baselines
  double ours_rss_mb = 0, theirs_rss_mb = 0;                     // medians of each sample's peak
  double ours_retransmits = 0, theirs_retransmits = 0;           // medians

  std::optional<double> quotient() const;  // median of `quotients`
};

PairedRows pair_rows(const harness::RowResult& ours, const harness::RowResult& theirs);

// Every (row of ours with a mode, row of another implementation with that mode and direction),
// in the order of our rows, twins in run order. Kernel baselines never take part.
std::vector<PairedRows> twins(const harness::RunResult& run);

// Per other implementation and direction, in order of first appearance: the row of ours with
// the highest median ratio against that implementation's highest (whatever their modes).
std::vector<PairedRows> best_against_best(const harness::RunResult& run);

// p below which the verdict says a side led rather than "within noise".
inline constexpr double kSideBySideAlpha = 0.05;

// "ahead", "behind" or "within noise (p 0.31)": the verdict of one pairing.
std::string verdict(const PairedRows& p);

// The markdown section with both tables, or "" when the run has no row of another implementation
// (kernel baselines aside) to compare with.
std::string markdown_side_by_side(const harness::RunResult& run);

}  // namespace report

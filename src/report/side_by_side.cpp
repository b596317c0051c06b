#include "report/side_by_side.h"

#include <cmath>
#include <map>

#include <fmt/format.h>

#include "harness/label.h"
#include "harness/statistics.h"
#include "report/chart_layout.h"
#include "report/summary.h"

namespace report {
namespace {

// Each pass's ratio to its baseline, or its Gbps (`ratios` false: a run without baselines). In a
// pass both rows are divided by the same baseline sample, so either gives the same quotient.
std::map<int, double> by_pass(const harness::RowResult& row, bool ratios) {
  std::map<int, double> values;
  for (const auto* s : row.ok_samples()) {
    const double v = ratios ? s->ratio : s->iperf.gbps;
    if (v > 0) values.emplace(s->pass, v);
  }
  return values;
}

// "sync-gso", or "sync-gso (down)" when the run also measured the other direction.
std::string with_direction(const harness::RowResult& row, const std::string& name, bool both_directions) {
  return both_directions ? fmt::format("{} ({})", name, row.direction) : name;
}

std::string optional_number(const std::optional<double>& v) { return v ? number(*v) : "–"; }

std::string quotient_cells(const PairedRows& p) {
  if (p.quotients.empty()) return "– | – | – | –";
  return fmt::format("{} | {}–{} | {}/{} | {}", number(*p.quotient()), number(harness::minimum(p.quotients)),
                     number(harness::maximum(p.quotients)), p.ahead, p.quotients.size(), verdict(p));
}

}  // namespace

std::optional<double> PairedRows::quotient() const {
  if (quotients.empty()) return std::nullopt;
  return harness::median(quotients);
}

PairedRows pair_rows(const harness::RowResult& ours, const harness::RowResult& theirs) {
  PairedRows p;
  p.ours = &ours;
  p.theirs = &theirs;
  // Each row's own medians, as the summary table shows them.
  const RowSummary a = summarize(ours), b = summarize(theirs);
  p.ours_ratio = a.ratio;
  p.theirs_ratio = b.ratio;
  p.ours_cpu_per_gbps = a.cpu_per_gbps;
  p.theirs_cpu_per_gbps = b.cpu_per_gbps;
  p.ours_rss_mb = a.forwarder ? a.mem_max : 0;
  p.theirs_rss_mb = b.forwarder ? b.mem_max : 0;
  p.ours_retransmits = a.retransmits;
  p.theirs_retransmits = b.retransmits;
  const bool ratios = p.ours_ratio && p.theirs_ratio;
  const auto theirs_by_pass = by_pass(theirs, ratios);
  std::vector<double> log_quotients;
  for (const auto& [pass, value] : by_pass(ours, ratios)) {
    const auto it = theirs_by_pass.find(pass);
    if (it == theirs_by_pass.end()) continue;
    const double q = value / it->second;
    p.quotients.push_back(q);
    log_quotients.push_back(std::log(q));
    if (q > 1) ++p.ahead;
  }
  p.p_value = harness::wilcoxon_signed_rank(log_quotients).p_value;
  return p;
}

std::vector<PairedRows> twins(const harness::RunResult& run) {
  std::vector<PairedRows> out;
  for (const auto& ours : run.rows)
    for (const auto& theirs : run.rows)
      if (is_twin(theirs, ours)) out.push_back(pair_rows(ours, theirs));
  return out;
}

std::vector<PairedRows> best_against_best(const harness::RunResult& run) {
  // The best row of each (implementation, direction) and its median ratio, keys in order of
  // first appearance.
  std::vector<std::pair<std::string, std::string>> keys;
  std::map<std::pair<std::string, std::string>, std::pair<const harness::RowResult*, double>> best;
  for (const auto& row : run.rows) {
    if (is_kernel(row)) continue;
    const auto ratio = summarize(row).ratio;
    if (!ratio) continue;
    const auto key = std::pair{drawn_implementation(row), row.direction};
    auto [it, added] = best.emplace(key, std::pair{&row, *ratio});
    if (added)
      keys.push_back(key);
    else if (*ratio > it->second.second)
      it->second = {&row, *ratio};
  }
  std::vector<PairedRows> out;
  for (const auto& key : keys) {
    if (key.first == harness::kOurImplementation) continue;
    const auto ours = best.find({harness::kOurImplementation, key.second});
    if (ours != best.end()) out.push_back(pair_rows(*ours->second.first, *best.at(key).first));
  }
  return out;
}

std::string verdict(const PairedRows& p) {
  if (p.quotients.empty()) return "no common pass";
  if (p.p_value < kSideBySideAlpha) return *p.quotient() >= 1 ? "ahead" : "behind";
  return fmt::format("within noise (p {})", number(p.p_value));
}

std::string markdown_side_by_side(const harness::RunResult& run) {
  const auto pairs = twins(run);
  const auto bests = best_against_best(run);
  if (pairs.empty() && bests.empty()) return "";
  bool up = false, down = false;
  for (const auto& row : run.rows) (row.direction == "down" ? down : up) = true;
  const bool both = up && down;

  std::string out =
      "\n## Side by side\n\nOurs against other implementations in this run. ÷ is ours ÷ theirs pass by pass (both "
      "rows divided by the same baseline sample; Gbps when the run has no baseline), as the median and range over "
      "the passes both completed; "
      "\"ahead\" counts the passes ours was faster. The verdict is a Wilcoxon signed-rank test of those quotients "
      "(\"within noise\" when p ≥ 0.05: with 5 passes or fewer no lead can reach it). CPU per Gbps, peak RSS (MiB) "
      "and retransmissions are each row's medians.\n";
  if (!pairs.empty()) {
    out +=
        "\n| Mode | Theirs | ours | theirs | ÷ | min–max | ahead | verdict | CPU/Gbps ours / theirs | RSS ours / "
        "theirs | Retr ours / theirs |\n|---|---|---|---|---|---|---|---|---|---|---|\n";
    for (const auto& p : pairs)
      out += fmt::format("| {} | {} | {} | {} | {} | {} / {} | {} / {} | {:.0f} / {:.0f} |\n",
                         with_direction(*p.ours, p.ours->mode, both), p.theirs->label, optional_number(p.ours_ratio),
                         optional_number(p.theirs_ratio), quotient_cells(p), optional_number(p.ours_cpu_per_gbps),
                         optional_number(p.theirs_cpu_per_gbps), number(p.ours_rss_mb), number(p.theirs_rss_mb),
                         p.ours_retransmits, p.theirs_retransmits);
  }
  if (!bests.empty()) {
    out +=
        "\nBest against best: each side's row with the highest median ratio, whatever its mode.\n\n"
        "| Theirs | our best | ratio | their best | ratio | ÷ | min–max | ahead | verdict | Retr ours / theirs |\n"
        "|---|---|---|---|---|---|---|---|---|---|\n";
    for (const auto& p : bests)
      out += fmt::format("| {} | {} | {} | {} | {} | {} | {:.0f} / {:.0f} |\n",
                         with_direction(*p.theirs, drawn_implementation(*p.theirs), both), p.ours->label,
                         optional_number(p.ours_ratio), p.theirs->label, optional_number(p.theirs_ratio),
                         quotient_cells(p), p.ours_retransmits, p.theirs_retransmits);
  }
  return out;
}

}  // namespace report

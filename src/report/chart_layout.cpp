#include "report/chart_layout.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <set>

#include "harness/label.h"
#include "report/name_hash.h"

namespace report {
namespace {

// Far from ours (blue) and the kernel (grey), and from each other.
constexpr std::array<const char*, 8> kPalette = {"#e07b39", "#2ca02c", "#9467bd", "#d62728",
                                                 "#8c564b", "#e377c2", "#17becf", "#bcbd22"};

}  // namespace

std::string drawn_implementation(const harness::RowResult& row) {
  return row.implementation.empty() ? row.label : row.implementation;
}

bool is_ours(const harness::RowResult& row) { return drawn_implementation(row) == harness::kOurImplementation; }
bool is_kernel(const harness::RowResult& row) { return drawn_implementation(row) == harness::kKernelImplementation; }
bool is_twin(const harness::RowResult& row, const harness::RowResult& ours) {
  return is_ours(ours) && !ours.mode.empty() && !is_ours(row) && !is_kernel(row) && row.mode == ours.mode &&
         row.direction == ours.direction;
}

std::vector<std::vector<std::size_t>> chart_groups(const harness::RunResult& run) {
  const auto& rows = run.rows;
  std::vector<std::vector<std::size_t>> groups;
  std::vector<bool> placed(rows.size(), false);
  std::vector<std::size_t> baselines;
  for (std::size_t i = 0; i < rows.size(); ++i)
    if (is_kernel(rows[i])) {
      baselines.push_back(i);
      placed[i] = true;
    }
  if (!baselines.empty()) groups.push_back(std::move(baselines));
  // A twin goes with the first row of ours of its mode and direction.
  const auto leader_of = [&](const harness::RowResult& twin) -> const harness::RowResult* {
    for (const auto& row : rows)
      if (is_ours(row) && row.mode == twin.mode && row.direction == twin.direction) return &row;
    return nullptr;
  };
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (placed[i]) continue;
    const auto& row = rows[i];
    // A twin that ran before its row of ours waits for it.
    if (!is_ours(row) && !row.mode.empty() && leader_of(row)) continue;
    std::vector<std::size_t> group{i};
    placed[i] = true;
    if (is_ours(row) && !row.mode.empty() && leader_of(row) == &row)
      for (std::size_t k = 0; k < rows.size(); ++k)
        if (!placed[k] && is_twin(rows[k], row)) {
          group.push_back(k);
          placed[k] = true;
        }
    groups.push_back(std::move(group));
  }
  return groups;
}

std::vector<std::size_t> chart_order(const harness::RunResult& run) {
  std::vector<std::size_t> order;
  for (const auto& group : chart_groups(run)) order.insert(order.end(), group.begin(), group.end());
  return order;
}

std::vector<ImplementationColour> implementation_colours(const harness::RunResult& run) {
  std::vector<std::string> names;  // legend order: ours, kernel, then others as they appear in the chart
  for (const auto i : chart_order(run)) {
    const auto name = drawn_implementation(run.rows[i]);
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  const auto rank = [](const std::string& n) {
    return n == harness::kOurImplementation ? 0 : n == harness::kKernelImplementation ? 1 : 2;
  };
  std::stable_sort(names.begin(), names.end(),
                   [&](const std::string& a, const std::string& b) { return rank(a) < rank(b); });

  // Others pick their palette slot in name order, so which of two colliding names moves does not
  // depend on the order the rows ran in.
  std::vector<std::string> others;
  for (const auto& n : names)
    if (rank(n) == 2) others.push_back(n);
  std::sort(others.begin(), others.end());
  std::vector<std::pair<std::string, std::string>> picked;
  std::set<std::size_t> taken;
  for (const auto& n : others) {
    std::size_t slot = name_hash(n) % kPalette.size();
    // Past the palette's size colours repeat: then any slot will do.
    for (std::size_t tries = 0; taken.count(slot) && tries < kPalette.size(); ++tries)
      slot = (slot + 1) % kPalette.size();
    taken.insert(slot);
    picked.emplace_back(n, kPalette[slot]);
  }

  std::vector<ImplementationColour> out;
  for (const auto& n : names) {
    std::string rgb = n == harness::kOurImplementation ? kOurColour : kKernelColour;
    for (const auto& [name, colour] : picked)
      if (name == n) rgb = colour;
    out.push_back({n, rgb});
  }
  return out;
}

}  // namespace report

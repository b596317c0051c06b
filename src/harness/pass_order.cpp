#include "harness/pass_order.h"

#include <algorithm>
#include <set>
#include <stdexcept>

#include "harness/bench.h"

namespace harness {

RowOrder parse_row_order(const std::string& text) {
  if (text == "rotate") return RowOrder::kRotate;
  if (text == "fixed") return RowOrder::kFixed;
  throw std::invalid_argument("--row-order: '" + text + "' is neither rotate nor fixed");
}

const char* to_string(RowOrder order) { return order == RowOrder::kRotate ? "rotate" : "fixed"; }

std::vector<std::size_t> pass_order(std::span<const RowSpec> rows, int pass, RowOrder order) {
  std::set<std::string> compared_with;
  for (const auto& r : rows) compared_with.insert(r.sut.compare_with);
  std::vector<std::size_t> baselines, others;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const bool baseline = compared_with.contains(rows[i].sut.kind) || !rows[i].sut.has_processes();
    (order == RowOrder::kRotate && baseline ? baselines : others).push_back(i);
  }
  if (order == RowOrder::kRotate && !others.empty()) {
    const auto shift = static_cast<std::size_t>(pass > 0 ? pass - 1 : 0) % others.size();
    std::rotate(others.begin(), others.begin() + static_cast<std::ptrdiff_t>(shift), others.end());
  }
  baselines.insert(baselines.end(), others.begin(), others.end());
  return baselines;
}

}  // namespace harness

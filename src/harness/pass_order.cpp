#include "harness/pass_order.h"

#include <algorithm>
#include <set>
#include <stdexcept>

#include <fmt/format.h>

#include "harness/bench.h"

namespace harness {

RowOrder parse_row_order(const std::string& text) {
  if (text == "rotate") return RowOrder::kRotate;
  if (text == "fixed") return RowOrder::kFixed;
  throw std::invalid_argument("--row-order: '" + text + "' is neither rotate nor fixed");
}

const char* to_string(RowOrder order) { return order == RowOrder::kRotate ? "rotate" : "fixed"; }

namespace {

struct Split {
  std::vector<std::size_t> baselines, others;  // indices into the rows, in the given order
};

Split split_rows(std::span<const RowSpec> rows, RowOrder order) {
  std::set<std::string> compared_with;
  for (const auto& r : rows) compared_with.insert(r.sut.compare_with);
  Split s;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const bool baseline = compared_with.contains(rows[i].sut.kind) || !rows[i].sut.has_processes();
    (order == RowOrder::kRotate && baseline ? s.baselines : s.others).push_back(i);
  }
  return s;
}

}  // namespace

std::vector<std::size_t> pass_order(std::span<const RowSpec> rows, int pass, RowOrder order) {
  auto [baselines, others] = split_rows(rows, order);
  if (order == RowOrder::kRotate && !others.empty()) {
    const auto shift = static_cast<std::size_t>(pass > 0 ? pass - 1 : 0) % others.size();
    std::rotate(others.begin(), others.begin() + static_cast<std::ptrdiff_t>(shift), others.end());
  }
  baselines.insert(baselines.end(), others.begin(), others.end());
  return baselines;
}

std::optional<std::string> rotation_note(std::span<const RowSpec> rows, int repeat, RowOrder order) {
  // One pass is a quick look, not a comparison of places: nothing to balance.
  if (order != RowOrder::kRotate || repeat < 2) return std::nullopt;
  const auto rotated = static_cast<int>(split_rows(rows, order).others.size());
  if (rotated < 2 || repeat % rotated == 0) return std::nullopt;
  const int balanced = (repeat / rotated + 1) * rotated;
  return fmt::format(
      "{} rows rotate over {} passes, so {}; --repeat {} (a multiple of {}) gives every row every place "
      "equally often",
      rotated, repeat,
      repeat < rotated ? fmt::format("each row takes only {} of the {} places", repeat, rotated)
                       : std::string("some rows take some places once more than others"),
      balanced, rotated);
}

}  // namespace harness

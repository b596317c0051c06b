#pragma once
// The order in which one pass measures its rows. A row's place in the pass is a confound: the
// machine's state after the previous sample (caches, page allocator, scheduler history, a
// neighbour's noisy minute) touches the row that always comes next to it. Rotating the rows
// that are compared with each other gives every such row every place over the passes, so a
// place's effect spreads evenly instead of favouring one implementation in every pass.
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace harness {

struct RowSpec;

enum class RowOrder {
  kRotate,  // baselines first, as given; the other rows rotated by one place per pass
  kFixed,   // every pass in the given order
};

// "rotate" or "fixed"; throws std::invalid_argument naming the option and the value otherwise.
RowOrder parse_row_order(const std::string& text);
const char* to_string(RowOrder order);

// Indices into rows for pass `pass` (1-based). Baselines, the rows whose kind another row is
// compared with (its compare_with) and the kernel's own paths (rows without a process), always
// come first and in the given order: each pass then has its baseline figure before the rows
// divided by it, so a sample's ratio is known when it is printed.
std::vector<std::size_t> pass_order(std::span<const RowSpec> rows, int pass, RowOrder order);

// What a user should know before `repeat` rotated passes start: when the passes are not a multiple
// of the rows that rotate, some rows take some places once more than others (and with fewer passes
// than rotated rows, some places never), so a place's effect no longer spreads evenly. Empty when
// the places balance, nothing rotates, or there is a single pass (a quick look, not a comparison).
std::optional<std::string> rotation_note(std::span<const RowSpec> rows, int repeat, RowOrder order);

}  // namespace harness

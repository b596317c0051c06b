#pragma once
// Where each row stands in the chart and in which colour, so rows of several implementations
// read side by side: the kernel baselines first, then every mode of ours with the rows of other
// implementations that mirror it (same mode, same direction) right beside it; one colour per
// implementation. Pure functions of the run, for the chart and its tests.
#include <cstddef>
#include <string>
#include <vector>

#include "harness/result.h"

namespace report {

// Indices into run.rows, one group per cluster of bars: first one group holding the kernel
// baselines (in run order), then the other rows in run order, where a row of ours with a mode
// takes along every row of another implementation with the same mode and direction (its twins,
// in run order). A twin with no row of ours of its mode and direction keeps its run-order place,
// each alone. Every row appears exactly once.
std::vector<std::vector<std::size_t>> chart_groups(const harness::RunResult& run);

// The groups one after another: the order of the bars.
std::vector<std::size_t> chart_order(const harness::RunResult& run);

// The implementation a row is drawn as: RowResult::implementation, or its label when a row
// (built by hand) names none.
std::string drawn_implementation(const harness::RowResult& row);
// Whether a row is drawn as ours ("tunbench") or as a kernel baseline ("kernel").
bool is_ours(const harness::RowResult& row);
bool is_kernel(const harness::RowResult& row);
// Whether `row` is a twin of `ours`: a row of another implementation (neither ours nor a kernel
// baseline) with the mode and direction of `ours`, a row of ours that has a mode.
bool is_twin(const harness::RowResult& row, const harness::RowResult& ours);

struct ImplementationColour {
  std::string implementation;
  std::string rgb;  // "#3a7bd5"
};

// One colour per implementation of the run, in legend order: ours ("tunbench") blue, the kernel
// grey, then the others in the order they first appear in the chart. The colour of another
// implementation is picked from a fixed palette by a hash of its name, so it keeps its colour
// from one chart to the next; two that land on the same colour are separated in name order (the
// later one takes the next free colour), so a chart never shows two of them alike while the
// palette lasts.
std::vector<ImplementationColour> implementation_colours(const harness::RunResult& run);

inline constexpr const char* kOurColour = "#3a7bd5";
inline constexpr const char* kKernelColour = "#9e9e9e";

}  // namespace report

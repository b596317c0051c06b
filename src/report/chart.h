#pragma once
// A PNG chart of a run, drawn by gnuplot from a data file and a script written next to it
// (CHART.dat, CHART.gp), so the chart can be restyled and redrawn by hand. Bars stand in the
// order of chart_layout.h (baselines, then each mode of ours beside the other implementations'
// rows of that mode) in their implementation's colour, with a legend naming the implementations.
// Top panel: Gbps, each bar labelled with its median Gbps and, under it, its ratio to the row's
// kernel baseline of the same pass (×0.82). Bottom panel: CPU of the system under test, same
// order and colours.
#include <filesystem>
#include <string>

#include "harness/result.h"

namespace report {

// One line per bar, in chart order: x, "label", "implementation", Gbps median, min, max, ratio
// median (0 = none), CPU avg (0 for baselines), colour (0xRRGGBB as a number, for gnuplot's
// `lc rgb variable`), ok (0 = every sample failed), then the bar's label texts: "Gbps" (as the
// table writes it, or "failed") and "ratio" ("-" = none). A gap between groups sets their bars
// apart.
std::string chart_data(const harness::RunResult& run);
std::string chart_script(const harness::RunResult& run, const std::filesystem::path& data,
                         const std::filesystem::path& png);
// Throws when gnuplot is missing or fails (its stderr in the message).
void write_chart(const harness::RunResult& run, const std::filesystem::path& png);

}  // namespace report

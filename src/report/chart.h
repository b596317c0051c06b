#pragma once
// A PNG chart of a run, drawn by gnuplot from a data file and a script written next to it
// (CHART.dat, CHART.gp), so the chart can be restyled and redrawn by hand.
#include <filesystem>
#include <string>

#include "harness/result.h"

namespace report {

// The data rows: index, "label", Gbps median, min, max, forwarder CPU avg (0 for baselines).
std::string chart_data(const harness::RunResult& run);
std::string chart_script(const std::filesystem::path& data, const std::filesystem::path& png, std::size_t rows);
// Throws when gnuplot is missing or fails (its stderr in the message).
void write_chart(const harness::RunResult& run, const std::filesystem::path& png);

}  // namespace report

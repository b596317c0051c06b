#pragma once
// The summary table in the reference table's columns (Mode, Offload, Channel, Gbps, Retr, CPU
// avg, CPU max, Mem avg, Mem max) plus `ratio` to the veth baseline and `CPU/Gbps`.
#include <string>

#include "harness/result.h"

namespace report {

std::string markdown_table(const harness::RunResult& run);
// The whole markdown report: machine, settings, table, failures and trust notes.
std::string markdown_report(const harness::RunResult& run);
// One line per finished sample, printed while the run fills in.
std::string sample_line(const harness::RowResult& row, const harness::Sample& sample);

}  // namespace report

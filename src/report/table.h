#pragma once
// The summary table in the reference table's columns (Mode, Offload, Channel, Gbps, Retr, CPU
// avg, CPU max, Mem avg, Mem max) plus `ratio` to the veth baseline and `CPU/Gbps`.
#include <string>
#include <vector>

#include "harness/result.h"

namespace report {

std::string markdown_table(const harness::RunResult& run);
// A row's flame graph (`tunbench run --profile`): `file` relative to the markdown report.
struct FlameGraphLink {
  std::string row;
  std::string file;
};

// The whole markdown report: machine, settings, table, ours side by side with other
// implementations (report/side_by_side.h), failures and trust notes, and a link to
// each row's flame graph when there are some.
std::string markdown_report(const harness::RunResult& run, const std::vector<FlameGraphLink>& flame_graphs = {});
// One line per finished sample, printed while the run fills in.
std::string sample_line(const harness::RowResult& row, const harness::Sample& sample);

}  // namespace report

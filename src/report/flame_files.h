#pragma once
// A run's flame graphs as files: one SVG per profiled row, named after the run's report files
// (`<stem>.flame-<row>.svg`) and linked from the markdown report.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "report/flame_fold.h"
#include "report/table.h"

namespace report {

// A row's stacks folded over its samples.
struct RowFlame {
  std::string label;
  FoldedStacks stacks;
  int samples_folded = 0;  // benchmark samples (passes) whose perf.data went in
};

// "run" and "tun-rs/sync gso" → "run.flame-tun-rs_sync_gso.svg": the label made one path
// component by harness::file_safe, as for the row's log directory.
std::string flame_file_name(const std::string& stem, const std::string& label);

// Writes the SVG of every row with stacks as `dir/<stem>.flame-<row>.svg` (a row whose name
// collides with an earlier one gets "-2", "-3"...). Returns one link per file written, relative
// to `markdown_dir`. Throws std::runtime_error naming a file that cannot be written.
std::vector<FlameGraphLink> write_flame_graphs(const std::vector<RowFlame>& rows, const std::filesystem::path& dir,
                                               const std::string& stem, const std::filesystem::path& markdown_dir);

}  // namespace report

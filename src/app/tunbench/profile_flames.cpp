#include "tunbench/profile_flames.h"

#include <algorithm>
#include <iostream>

#include <fmt/format.h>

#include "harness/command.h"
#include "report/flame_fold.h"

namespace tunbench_app {

std::optional<std::string> ProfileFlames::add(const std::string& row, const std::filesystem::path& perf_data) {
  // perf script takes about a second per 20 000 samples (4 kHz, two busy threads: 10 s of a
  // sample); the bound is only there so a wedged perf cannot hold up the run.
  const auto script = harness::run_command({"perf", "script", "-i", perf_data.string()}, {}, std::chrono::minutes(5));
  if (!script.ok())
    return fmt::format("profile of {}: `perf script -i {}` failed (exit {}): {}; no flame graph from this sample", row,
                       perf_data.string(), script.exit_code, harness::tail_lines(script.err, 3));
  report::FoldedStacks folded;
  try {
    folded = report::fold_perf_script(script.out);
  } catch (const report::FoldError& e) {
    return fmt::format("profile of {}: {} ({}); no flame graph from this sample", row, e.what(), perf_data.string());
  }
  auto it = std::find_if(rows_.begin(), rows_.end(), [&](const auto& r) { return r.label == row; });
  if (it == rows_.end()) it = rows_.insert(rows_.end(), report::RowFlame{row, {}, 0});
  report::merge_folded(it->stacks, folded);
  ++it->samples_folded;
  return std::nullopt;
}

std::vector<report::FlameGraphLink> ProfileFlames::write(const std::string& json, const std::string& markdown,
                                                         const std::filesystem::path& log_dir) const {
  namespace fs = std::filesystem;
  if (rows_.empty()) return {};
  const fs::path next_to = !json.empty() ? fs::path(json) : !markdown.empty() ? fs::path(markdown) : log_dir / "run";
  const fs::path dir = next_to.has_parent_path() ? next_to.parent_path() : fs::path(".");
  const fs::path markdown_dir =
      markdown.empty() ? dir : (fs::path(markdown).has_parent_path() ? fs::path(markdown).parent_path() : ".");
  try {
    auto links = report::write_flame_graphs(rows_, dir, next_to.stem().string(), markdown_dir);
    for (const auto& link : links)
      std::cerr << fmt::format("flame graph of {}: {}\n", link.row,
                               (markdown_dir / link.file).lexically_normal().string());
    return links;
  } catch (const std::exception& e) {
    std::cerr << "tunbench: flame graphs: " << e.what() << '\n';
    return {};
  }
}

}  // namespace tunbench_app

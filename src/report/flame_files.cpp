#include "report/flame_files.h"

#include <set>

#include <fmt/format.h>

#include "harness/label.h"
#include "report/flame_svg.h"
#include "report/json_file.h"

namespace report {
namespace fs = std::filesystem;

std::string flame_file_name(const std::string& stem, const std::string& label) {
  return fmt::format("{}.flame-{}.svg", stem, harness::file_safe(label));
}

std::vector<FlameGraphLink> write_flame_graphs(const std::vector<RowFlame>& rows, const fs::path& dir,
                                               const std::string& stem, const fs::path& markdown_dir) {
  std::vector<FlameGraphLink> links;
  std::set<std::string> used;
  const fs::path from = fs::absolute(markdown_dir).lexically_normal();
  for (const auto& row : rows) {
    if (row.stacks.empty()) continue;
    std::string name = flame_file_name(stem, row.label);
    for (int n = 2; !used.insert(name).second; ++n) name = flame_file_name(stem, fmt::format("{}-{}", row.label, n));
    const fs::path path = dir / name;
    FlameOptions options;
    options.title = "Flame graph: " + row.label;
    options.subtitle = fmt::format(
        "{} CPU samples of the sampled processes over {} benchmark sample(s); kernel "
        "frames blue (_[k]), user frames red-yellow",
        total_samples(row.stacks), row.samples_folded);
    write_text(flame_svg(row.stacks, options), path);
    links.push_back({row.label, fs::absolute(path).lexically_normal().lexically_relative(from).string()});
  }
  return links;
}

}  // namespace report

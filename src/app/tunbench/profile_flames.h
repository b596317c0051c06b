#pragma once
// `tunbench run --profile`: every sample's perf.data turned into folded stacks (`perf script`,
// then report::fold_perf_script) and added to its row, for one flame graph per row at the end.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "report/flame_files.h"

namespace tunbench_app {

class ProfileFlames {
 public:
  // Folds one sample's perf.data into `row`. Returns what went wrong (perf script failed, its
  // output did not parse) for a note; the row then keeps the samples it already has.
  std::optional<std::string> add(const std::string& row, const std::filesystem::path& perf_data);

  // One SVG per row with stacks, next to the run's --json (else --markdown, else in `log_dir` as
  // run.flame-*.svg), each named on stderr. Returns the links for the markdown report, relative
  // to it; none when a file cannot be written (said on stderr: the run's results still count).
  std::vector<report::FlameGraphLink> write(const std::string& json, const std::string& markdown,
                                            const std::filesystem::path& log_dir) const;

  // Rows in the order they were first profiled.
  const std::vector<report::RowFlame>& rows() const { return rows_; }

 private:
  std::vector<report::RowFlame> rows_;
};

}  // namespace tunbench_app

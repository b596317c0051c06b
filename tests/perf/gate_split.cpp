// gate_split RUN.json BASE_OUT.json HEAD_OUT.json [--base-prefix base-] [--head-prefix head-]
// ci/perf-gate.sh benches both builds in ONE interleaved `tunbench run`, labelling the rows
// "base-MODE" and "head-MODE". This splits that run into the two run files `tunbench compare`
// reads: rows with a prefix go to their side with the prefix removed; rows without one (the
// kernel baselines) go to both sides, so each side keeps its per-pass veth partner.
#include <iostream>
#include <string>

#include "report/json_file.h"

int main(int argc, char** argv) {
  std::string base_prefix = "base-", head_prefix = "head-";
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if ((arg == "--base-prefix" || arg == "--head-prefix") && i + 1 < argc) {
      (arg == "--base-prefix" ? base_prefix : head_prefix) = argv[++i];
    } else if (arg.starts_with("-")) {
      files.clear();
      break;
    } else {
      files.push_back(arg);
    }
  }
  if (files.size() != 3 || base_prefix.empty() || head_prefix.empty() || base_prefix == head_prefix) {
    std::cerr << "usage: gate_split RUN.json BASE_OUT.json HEAD_OUT.json [--base-prefix P] [--head-prefix P]\n";
    return 2;
  }
  try {
    auto run = report::read_json(files[0]);
    run.compute_ratios();
    harness::RunResult base, head;
    base.machine = head.machine = run.machine;
    base.settings = head.settings = run.settings;
    base.settings["split_from"] = head.settings["split_from"] = files[0];
    std::size_t base_rows = 0, head_rows = 0;
    for (auto row : run.rows) {
      if (row.label.starts_with(base_prefix)) {
        row.label.erase(0, base_prefix.size());
        base.rows.push_back(std::move(row));
        ++base_rows;
      } else if (row.label.starts_with(head_prefix)) {
        row.label.erase(0, head_prefix.size());
        head.rows.push_back(std::move(row));
        ++head_rows;
      } else if (!row.has_forwarder()) {
        base.rows.push_back(row);
        head.rows.push_back(std::move(row));
      }
    }
    if (base_rows == 0 || head_rows == 0) {
      std::cerr << "gate_split: " << files[0] << " has no '" << base_prefix << "' or no '" << head_prefix << "' rows\n";
      return 2;
    }
    report::write_json(base, files[1]);
    report::write_json(head, files[2]);
    std::cout << "gate_split: " << base_rows << " base and " << head_rows << " head row(s)\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "gate_split: " << e.what() << '\n';
    return 2;
  }
}

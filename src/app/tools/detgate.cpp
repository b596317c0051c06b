// tb-detgate: the comparison step of ci/det-gate.sh. Reads two tunreplay runs of each side (each a
// folder with replay.json and the callgrind dumps cg.out.N of its rows), applies the gate's rules
// (src/detgate/compare.h) and writes report.md and report.json into --out.
//
//   tb-detgate --base-run DIR --base-run DIR --head-run DIR --head-run DIR --out DIR
//              [--base-desc TEXT] [--head-desc TEXT] [--machine TEXT] [--command TEXT]
// Exit: 0 pass, 1 a row failed (≥ 3 % more instructions per segment, or broken), 2 bad input.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "detgate/callgrind_dump.h"
#include "detgate/gate_report.h"
#include "detgate/run.h"

namespace fs = std::filesystem;

namespace {

detgate::Run load_run(const fs::path& dir) {
  std::ifstream json_in(dir / "replay.json");
  if (!json_in) throw std::runtime_error((dir / "replay.json").string() + ": cannot read");
  const nlohmann::json replay = nlohmann::json::parse(json_in);
  std::vector<detgate::CallgrindDump> dumps;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("cg.out", 0) != 0) continue;
    std::ifstream in(entry.path());
    try {
      dumps.push_back(detgate::parse_callgrind(in));
    } catch (const std::exception& e) {
      throw std::runtime_error(entry.path().string() + ": " + e.what());
    }
  }
  if (dumps.empty()) throw std::runtime_error(dir.string() + ": no callgrind dumps (cg.out.*)");
  return detgate::make_run(replay, dumps);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"tb-detgate: compare instruction counts of two tunreplay runs per side (ci/det-gate.sh)"};
  std::vector<std::string> base_runs, head_runs;
  std::string out;
  detgate::GateInput in;
  app.add_option("--base-run", base_runs, "a base run folder (give two)")->required()->expected(2);
  app.add_option("--head-run", head_runs, "a head run folder (give two)")->required()->expected(2);
  app.add_option("--out", out, "where report.md and report.json go")->required();
  app.add_option("--base-desc", in.base_desc, "what base is");
  app.add_option("--head-desc", in.head_desc, "what head is");
  app.add_option("--machine", in.machine, "the machine, for the report");
  app.add_option("--command", in.command, "the command, for the report");
  app.add_option("--fail-pct", in.thresholds.fail_pct, "more instructions per segment that fail (3)");
  app.add_option("--warn-pct", in.thresholds.warn_pct, "more instructions per segment that warn (1)");
  app.add_option("--unstable-pct", in.thresholds.unstable_pct,
                 "spread between a side's runs above which a row is not judged (0.5)");
  CLI11_PARSE(app, argc, argv);
  try {
    for (std::size_t i = 0; i < 2; ++i) {
      in.base[i] = load_run(base_runs.at(i));
      in.head[i] = load_run(head_runs.at(i));
    }
  } catch (const std::exception& e) {
    std::cerr << "tb-detgate: " << e.what() << "\n";
    return 2;
  }
  const detgate::GateResult result = detgate::evaluate(in);
  fs::create_directories(out);
  std::ofstream md(fs::path(out) / "report.md");
  md << detgate::markdown_report(in, result);
  std::ofstream js(fs::path(out) / "report.json");
  js << detgate::json_report(in, result).dump(1) << "\n";
  if (!md || !js) {
    std::cerr << "tb-detgate: cannot write the report into " << out << "\n";
    return 2;
  }
  std::cout << "tb-detgate: " << (result.passed() ? "PASS" : "FAIL") << ": " << result.rows.size() << " rows, "
            << result.judged() << " stable, " << result.failed << " failed, " << result.warned << " warned, "
            << result.flagged << " with changed device calls\n";
  return result.passed() ? 0 : 1;
}

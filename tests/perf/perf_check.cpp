// perf_check RUN.json [--profile NAME|PATH|fallback] [--thresholds-dir DIR] [--ratios-only] [--markdown OUT]
//            [--measured-rows-only]
// perf_check --select-only [--cpu-model MODEL] [--profile ...] [--thresholds-dir DIR]
// perf_check RUN.json --derive OUT.json [--margin 0.75] [--description TEXT]
// Checks a `tunbench run --json` file against a thresholds profile. The profile: --profile, else
// env TUNBENCH_PROFILE ("fallback" = the profile marked fallback, ratios only elsewhere), else
// the profile of DIR/local (tunbench calibrate), then of DIR, whose cpu_model_match matches the
// CPU the run was measured on (harness::choose_profile). Exit 0 = within every limit, 1 = a limit
// violated (each failing row listed with measured vs limit), 2 = error, 77 = no profile for this
// machine (skipped: the message says what to run).
// --select-only answers the profile question for this machine (or --cpu-model) before a run, so
// the perf tests skip without spending minutes measuring: exit 0 naming the profile, or 77.
// --derive writes a profile for the machine the run was measured on (cpu_model_match = its CPU
// model, fallback): per row min_ratio = margin × the median ratio to veth, max_cpu_avg = 1.3 × the
// largest CPU average, max_mem_max_mb = 1.5 × the largest peak RSS + 2, and for offload rows
// max_retransmits = max(100, 3 × the largest count). The committed profiles were made so; a new
// machine uses `tunbench calibrate`, whose floors come from the spread of the passes.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "harness/machine.h"
#include "harness/statistics.h"
#include "harness/thresholds.h"
#include "report/json_file.h"

namespace {

// ctest's SKIP_RETURN_CODE of the perf tests: no profile for this machine is neither a pass nor a
// failure of the code.
constexpr int kSkipped = 77;

// Rounded to `decimals` places (dividing by a power of ten keeps the JSON short: 0.103, not 0.10300000000000001).
double round_to(double value, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::round(value * scale) / scale;
}

nlohmann::json derive(const harness::RunResult& run, double margin, const std::string& description,
                      const std::string& command) {
  nlohmann::json rows = nlohmann::json::object();
  for (const auto& row : run.rows) {
    if (row.ok_samples().empty() || row.kind == harness::kKernelVeth) continue;
    nlohmann::json r;
    const auto ratios = row.ratios();
    if (!ratios.empty()) {
      r["measured_median_ratio"] = round_to(harness::median(ratios), 3);
      r["min_ratio"] = round_to(margin * harness::median(ratios), 3);
    }
    r["measured_median_gbps"] = round_to(harness::median(row.gbps()), 2);
    if (row.has_forwarder()) {
      r["measured_median_cpu_avg"] = round_to(harness::median(row.cpu_avg()), 1);
      r["max_cpu_avg"] = round_to(1.3 * harness::maximum(row.cpu_avg()), 0);
      r["measured_median_mem_max_mb"] = round_to(harness::median(row.mem_max()), 1);
      r["max_mem_max_mb"] = round_to(1.5 * harness::maximum(row.mem_max()) + 2, 1);
      if (row.label.find("gso") != std::string::npos || row.label.find("passthrough") != std::string::npos) {
        r["measured_median_retransmits"] = harness::median(row.retransmits());
        r["max_retransmits"] = std::max(100.0, 3 * harness::maximum(row.retransmits()));
      }
    }
    rows[row.label] = r;
  }
  const std::string cpu = run.machine.value("cpu_model", "");
  return {
      {"format", "tunbench-thresholds/1"},
      {"description", description},
      {"cpu_model_match", cpu.empty() ? std::vector<std::string>{} : std::vector<std::string>{cpu}},
      {"fallback", true},
      {"ratio_to", "veth"},
      {"measured", {{"command", command}, {"machine", run.machine}, {"settings", run.settings}, {"margin", margin}}},
      {"rows", rows}};
}

int usage() {
  std::cerr
      << "usage: perf_check RUN.json [--profile NAME|PATH|fallback] [--thresholds-dir DIR] [--ratios-only] "
         "[--measured-rows-only] "
         "[--markdown OUT]\n"
         "       perf_check --select-only [--cpu-model MODEL] [--profile NAME|PATH|fallback] [--thresholds-dir DIR]\n"
         "       perf_check RUN.json --derive OUT.json [--margin 0.75] [--description TEXT] [--command TEXT]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  // Every error (a bad argument, an unreadable file, a bad profile) exits 2.
  try {
    std::string run_path, requested, markdown, derive_path, description, command;
    double margin = 0.75;
    std::string dir = TB_FIXTURES_DIR "/thresholds";
    bool ratios_only = false, select_only = false, measured_rows_only = false;
    std::optional<std::string> cpu_model;
    if (const char* env = std::getenv("TUNBENCH_PROFILE")) requested = env;
    for (int i = 1; i < argc; ++i) {
      const std::string arg = argv[i];
      auto value = [&]() -> std::string {
        if (i + 1 >= argc) throw std::runtime_error(arg + " needs a value");
        return argv[++i];
      };
      if (arg == "--profile")
        requested = value();
      else if (arg == "--thresholds-dir")
        dir = value();
      else if (arg == "--markdown")
        markdown = value();
      else if (arg == "--ratios-only")
        ratios_only = true;
      else if (arg == "--select-only")
        select_only = true;
      else if (arg == "--measured-rows-only")
        measured_rows_only = true;
      else if (arg == "--cpu-model")
        cpu_model = value();
      else if (arg == "--derive")
        derive_path = value();
      else if (arg == "--margin")
        margin = std::stod(value());
      else if (arg == "--description")
        description = value();
      else if (arg == "--command")
        command = value();
      else if (!arg.starts_with("-") && run_path.empty())
        run_path = arg;
      else  // an unknown option or a second RUN.json
        return usage();
    }
    if (select_only) {
      if (!run_path.empty()) return usage();
      const std::string cpu = cpu_model ? *cpu_model : harness::describe_machine().value("cpu_model", "");
      const auto choice = harness::choose_profile(dir, requested, cpu);
      if (!choice) {
        std::cout << "perf_check: " << harness::no_profile_message(dir, cpu) << '\n';
        return kSkipped;
      }
      std::cout << fmt::format("perf_check: profile {} ({}): {}{}\n", choice->profile.name,
                               choice->profile.path.string(), choice->reason,
                               choice->ratios_only ? " (ratios only)" : "");
      return 0;
    }
    if (run_path.empty()) return usage();
    auto run = report::read_json(run_path);
    run.compute_ratios();
    if (!derive_path.empty()) {
      std::ofstream out(derive_path);
      out << derive(run, margin, description, command).dump(2) << '\n';
      if (!out) throw std::runtime_error("cannot write " + derive_path);
      std::cout << "perf_check: wrote " << derive_path << '\n';
      return 0;
    }
    const std::string cpu = run.machine.value("cpu_model", "");
    const auto chosen = harness::choose_profile(dir, requested, cpu);
    if (!chosen) {
      std::cout << "perf_check: " << harness::no_profile_message(dir, cpu) << '\n';
      if (!markdown.empty())
        report::write_text("## Perf check: skipped\n\n" + harness::no_profile_message(dir, cpu) + "\n", markdown);
      return kSkipped;
    }
    const auto& choice = *chosen;
    harness::CheckOptions options;
    options.ratios_only = ratios_only || choice.ratios_only;
    // A run of some modes only (TUNBENCH_PERF_MODES): the profile's other rows are not failures.
    options.require_all_rows = !measured_rows_only;
    const auto result = harness::check_profile(run, choice.profile, options);

    std::string text = fmt::format("## Perf check: profile {}\n\n{}{}.\n\n", choice.profile.name, choice.reason,
                                   options.ratios_only ? " (ratios only)" : "");
    text += result.table();
    if (!result.unchecked_rows.empty()) {
      text += "\nRows without thresholds in this profile:";
      for (const auto& r : result.unchecked_rows) text += " " + r + ";";
      text += "\n";
    }
    std::size_t untrusted = 0, samples = 0;
    for (const auto& row : run.rows)
      for (const auto& s : row.samples) {
        ++samples;
        untrusted += !s.untrusted.empty();
      }
    text += fmt::format("\n{} of {} samples were flagged untrusted (a busy machine).\n", untrusted, samples);
    text += result.ok() ? "\nPASS: every row within its limits.\n" : "\nFAIL:\n" + result.failures();
    std::cout << text;
    if (!markdown.empty()) report::write_text(text, markdown);
    return result.ok() ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "perf_check: " << e.what() << '\n';
    return 2;
  }
}

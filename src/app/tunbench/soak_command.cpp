// `tunbench soak`: one long transfer through one system under test (harness/soak.h), on the
// topology and monitor of `tunbench run`. Replaces the old ci/soak.sh.
#include <iostream>
#include <memory>

#include <fmt/format.h>

#include "harness/interrupt.h"
#include "harness/run_state.h"
#include "harness/soak.h"
#include "harness/tunfwd_modes.h"
#include "report/json_file.h"
#include "tunbench/commands.h"
#include "tunbench/shared.h"

namespace tunbench_app {
namespace {

struct SoakArgs {
  std::string mode = "passthrough";
  std::string forwarder;
  std::string tunfwd;
  int duration = 600;
  double max_rss_growth = 1.0;
  std::string json;
  bool keep_logs = false;
};

int soak(const SoakArgs& a) {
  std::string label;
  harness::SutSpec sut;
  if (!a.forwarder.empty()) {
    const auto [l, command] = label_and(a.forwarder, "--forwarder", "COMMAND ARGS");
    label = l;
    sut = command_forwarder_sut(l, command);
  } else {
    const auto tunfwd = find_tunfwd(a.tunfwd);
    if (tunfwd.empty()) throw std::invalid_argument("tunfwd not found next to tunbench; pass --tunfwd PATH");
    harness::TunfwdModes::query(tunfwd).require(a.mode);  // an unknown mode stops here
    label = a.mode;
    sut = tunfwd_sut(tunfwd, a.mode);
  }
  preflight("soak", true);
  harness::install_interrupt_handlers();
  harness::RunState state(harness::make_run_id());
  const auto log_dir = std::filesystem::temp_directory_path() / ("tunbench-" + state.run_id());
  std::cerr << fmt::format("tunbench soak: {} for {} s (RSS reference at {} s); logs in {}\n", label, a.duration,
                           harness::soak_reference_second(a.duration), log_dir.string());
  harness::SoakOptions options;
  options.duration_s = a.duration;
  options.max_rss_growth_percent = a.max_rss_growth;
  Progress progress;
  harness::SoakReport report;
  try {
    report = harness::run_soak(sut, options, state.run_id() + "-1", log_dir, &state,
                               [&](int left) { progress.show(fmt::format("{}  {}s left", label, left)); });
  } catch (const harness::Interrupted& e) {
    progress.clear();
    std::cerr << "tunbench soak: interrupted; namespaces and processes removed\n";
    return 128 + e.signal;
  }
  progress.clear();
  std::cout << report.text();
  if (!a.json.empty()) {
    auto j = report.figures;
    j["label"] = label;
    j["duration_s"] = a.duration;
    j["ok"] = report.ok();
    report::write_text(j.dump(2) + "\n", a.json);
  }
  if (report.ok() && !a.keep_logs) std::filesystem::remove_all(log_dir);
  std::cout << (report.ok() ? "soak: passed\n" : "soak: FAILED\n");
  return report.ok() ? 0 : 1;
}

}  // namespace

void add_soak_command(CLI::App& app, int* exit_code) {
  auto a = std::make_shared<SoakArgs>();
  auto* cmd =
      app.add_subcommand("soak", "One long iperf3 transfer through a forwarder: RSS flat, no drops, counters balance");
  cmd->add_option("--mode", a->mode, "tunfwd mode to soak")->capture_default_str();
  cmd->add_option("--forwarder", a->forwarder, "another forwarder instead: 'LABEL=COMMAND ARGS' creating tun11/tun22");
  cmd->add_option("--tunfwd", a->tunfwd, "tunfwd binary (default: next to tunbench)");
  cmd->add_option("-t,--duration", a->duration, "seconds of transfer")
      ->capture_default_str()
      ->check(CLI::Range(10, 86400));
  cmd->add_option("--max-rss-growth", a->max_rss_growth, "largest RSS change from the reference to the end, %")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1000.0));
  cmd->add_option("--json", a->json, "write the figures (RSS every second, Gbps, counters) here");
  cmd->add_flag("--keep-logs", a->keep_logs, "keep the logs even when the soak passed");
  cmd->callback([a, exit_code] {
    try {
      *exit_code = soak(*a);
    } catch (const std::invalid_argument& e) {
      std::cerr << "tunbench soak: " << e.what() << '\n';
      *exit_code = 2;
    } catch (const std::exception& e) {
      std::cerr << "tunbench soak: " << e.what() << '\n';
      *exit_code = 1;
    }
  });
}

}  // namespace tunbench_app

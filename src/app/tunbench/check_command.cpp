// `tunbench check`: black-box conformance of TUN forwarders (src/check/, docs/check.md). Brings
// each system up in the usual topology, runs the selected cases, prints one line per case and a
// summary, writes the JSON and markdown reports. Exit 0 all passed, 1 a case failed, 2 bad
// input or a system that could not be set up, 128+N interrupted by signal N.
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <memory>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "check/case_registry.h"
#include "check/check_report.h"
#include "check/runner.h"
#include "harness/interrupt.h"
#include "harness/run_state.h"
#include "harness/tunfwd_modes.h"
#include "report/json_file.h"
#include "tunbench/commands.h"
#include "tunbench/shared.h"

namespace tunbench_app {
namespace {

namespace fs = std::filesystem;

struct CheckArgs {
  std::string modes;
  std::vector<std::string> forwarders;
  std::string tunfwd;
  std::string cases;
  std::string json, markdown;
  bool list = false;
  int bulk_mb = 4;
  int device_timeout_ms = 10000;
  bool keep_logs = false;
};

void print_list() {
  for (const auto& c : check::all_cases()) std::cout << fmt::format("{:<28} {:<11} {}\n", c.name, c.family, c.rule);
}

std::vector<check::SystemUnderCheck> systems_of(const CheckArgs& a) {
  std::vector<check::SystemUnderCheck> systems;
  std::stringstream modes(a.modes);
  std::vector<std::string> names;
  for (std::string m; std::getline(modes, m, ',');)
    if (!m.empty()) names.push_back(m);
  if (!names.empty()) {
    const auto tunfwd = find_tunfwd(a.tunfwd);
    if (tunfwd.empty()) throw std::invalid_argument("tunfwd not found next to tunbench; pass --tunfwd PATH");
    const auto catalog = harness::TunfwdModes::query(tunfwd);
    for (const auto& m : names) {
      catalog.require(m);  // an unknown mode stops here, before anything starts
      systems.push_back({m, tunfwd_sut(tunfwd, m)});
    }
  }
  for (const auto& spec : a.forwarders) {
    const auto [label, command] = label_and(spec, "--forwarder", "COMMAND ARGS");
    systems.push_back({label, command_forwarder_sut(label, command)});
  }
  if (systems.empty()) throw std::invalid_argument("nothing to check: give --modes M[,M…] or --forwarder 'LABEL=CMD'");
  return systems;
}

int check_command(const CheckArgs& a) {
  if (a.list) {
    print_list();
    return 0;
  }
  const auto cases = check::select_cases(a.cases);
  const auto systems = systems_of(a);
  if (::geteuid() != 0) throw std::runtime_error("tunbench check needs root (network namespaces, TUN devices)");
  if (!fs::exists("/dev/net/tun")) throw std::runtime_error("/dev/net/tun is missing: no TUN support here");
  harness::install_interrupt_handlers();
  harness::RunState state(harness::make_run_id());
  check::RunOptions options;
  options.log_dir = fs::temp_directory_path() / ("tunbench-" + state.run_id());
  options.ready_timeout = std::chrono::milliseconds(a.device_timeout_ms);
  options.bulk_bytes = static_cast<std::uint64_t>(a.bulk_mb) << 20;
  fs::create_directories(options.log_dir);
  std::cerr << fmt::format("tunbench check: {} system(s) × {} case(s); logs in {}\n", systems.size(), cases.size(),
                           options.log_dir.string());
  check::RunEvents events;
  events.case_done = [](const std::string& system, const check::CaseResult& r) {
    std::cout << check::case_line(system, r) << '\n';
    // The rest of the evidence under the line, so a failure shows every broken rule.
    for (std::size_t i = 1; i < r.verdict.evidence().size(); ++i)
      std::cout << "        " << r.verdict.evidence()[i] << '\n';
    std::cout.flush();
  };
  check::CheckReport report;
  try {
    report = check::run_checks(systems, cases, options, &state, events);
  } catch (const harness::Interrupted& e) {
    std::cerr << "tunbench check: interrupted; namespaces and processes removed\n";
    return 128 + e.signal;
  }
  for (const auto& s : report.systems)
    if (!s.setup_error.empty())
      std::cerr << fmt::format("tunbench check: {}: setup failed: {}\n", s.label, s.setup_error);
  std::cout << check::summary_line(report) << '\n';
  if (!a.json.empty()) report::write_text(check::to_json(report).dump(2) + "\n", a.json);
  if (!a.markdown.empty()) report::write_text(check::to_markdown(report), a.markdown);
  if (report.exit_code() == 0 && !a.keep_logs) fs::remove_all(options.log_dir);
  return report.exit_code();
}

}  // namespace

void add_check_command(CLI::App& app, int* exit_code) {
  auto a = std::make_shared<CheckArgs>();
  auto* cmd = app.add_subcommand("check", "Conformance cases against TUN forwarders: PASS/FAIL/N/A per case");
  cmd->add_option("--modes", a->modes, "tunfwd modes to check (comma list; tunbench list shows them)");
  cmd->add_option("--forwarder", a->forwarders,
                  "another forwarder: 'LABEL=COMMAND ARGS', creating tun11/tun22 itself (repeatable)");
  cmd->add_option("--tunfwd", a->tunfwd, "tunfwd binary (default: next to tunbench)");
  cmd->add_option("--cases", a->cases, "only the cases matching these shell patterns (comma list, e.g. 'tcp-*')");
  cmd->add_option("--json", a->json, "write the report as JSON (tunbench-check/1)");
  cmd->add_option("--markdown", a->markdown, "write the report as markdown");
  cmd->add_flag("--list", a->list, "list the cases and the rule each checks, then exit");
  cmd->add_option("--bulk-mb", a->bulk_mb, "MB per direction of each TCP bulk case")->capture_default_str();
  cmd->add_option("--device-timeout-ms", a->device_timeout_ms,
                  "how long a forwarder may take to create tun11/tun22 and bring them up")
      ->capture_default_str();
  cmd->add_flag("--keep-logs", a->keep_logs, "keep the forwarders' logs even when every case passed");
  cmd->callback([a, exit_code] {
    try {
      if (a->bulk_mb < 1 || a->bulk_mb > 4096) throw std::invalid_argument("--bulk-mb: 1 to 4096");
      if (a->device_timeout_ms < 100) throw std::invalid_argument("--device-timeout-ms: at least 100");
      *exit_code = check_command(*a);
    } catch (const std::invalid_argument& e) {  // bad input, found before anything started
      std::cerr << "tunbench check: " << e.what() << '\n';
      *exit_code = 2;
    } catch (const std::exception& e) {  // set-up: not root, no TUN, tunfwd unusable, a report unwritable
      std::cerr << "tunbench check: " << e.what() << '\n';
      *exit_code = 2;
    }
  });
}

}  // namespace tunbench_app

// `tunbench run | list | compare | cleanup`: the command-line face of the harness and report
// modules. Everything that measures lives in harness/, everything that formats in report/.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <sstream>

#include <fmt/format.h>

#include "harness/bench.h"
#include "harness/cleanup.h"
#include "harness/command.h"
#include "harness/gate.h"
#include "harness/interrupt.h"
#include "harness/pass_order.h"
#include "harness/run_state.h"
#include "harness/suts.h"
#include "harness/tunfwd_modes.h"
#include "report/chart.h"
#include "report/compare_report.h"
#include "report/json_file.h"
#include "report/side_by_side.h"
#include "report/table.h"
#include "tunbench/commands.h"
#include "tunbench/profile_flames.h"
#include "tunbench/shared.h"

namespace tunbench_app {
namespace {

// The markdown report and the chart of a run, written after `run` and again by `report`.
void write_report_files(const harness::RunResult& result, const std::string& markdown, const std::string& chart,
                        const std::vector<report::FlameGraphLink>& flame_graphs = {}) {
  if (!markdown.empty()) report::write_text(report::markdown_report(result, flame_graphs), markdown);
  if (!chart.empty()) {
    try {
      report::write_chart(result, chart);
    } catch (const std::exception& e) {
      std::cerr << "tunbench: chart: " << e.what() << '\n';
    }
  }
}

namespace fs = std::filesystem;

struct RunOptions {
  std::string modes = "all";
  bool modes_given = false;
  std::string tunfwd;
  std::vector<std::string> forwarders;
  std::vector<std::string> suts;
  std::string stacks;                   // --stacks: built-in stacks (harness::suts::stack_names())
  std::vector<std::string> stack_cmds;  // --stack 'LABEL=CMD'
  std::string tunstack;
  int stack_mtu = 1500;
  std::string directions;  // "up", "down" or "up,down"; "" = up, or both when stacks are measured
  bool baselines_given = false;
  std::string baselines = "veth,loopback";
  int duration = 10;
  int repeat = 1;
  int parallel = 1;
  bool udp = false;
  std::string udp_rate = "0";
  int udp_length = 0;
  bool reverse = false;
  std::string json, markdown, chart;
  bool profile = false;
  bool quiet_wait = false;
  std::string row_order = "rotate";
  int quiet_wait_limit = 60;
  double max_others_cpu = 15;
  double max_steal = 5;
  int device_timeout_ms = 10000;
  bool keep_logs = false;
};

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> parts;
  std::stringstream in(text);
  for (std::string part; std::getline(in, part, sep);)
    if (!part.empty()) parts.push_back(part);
  return parts;
}

// The rows before directions, in the order they run within a pass.
std::vector<harness::RowSpec> undirected_rows(const RunOptions& o, bool stacks) {
  std::vector<harness::RowSpec> rows;
  // Baselines first: each pass then has its veth figure before the rows normalised to it. With
  // stacks and no --baselines, the direct path and the kernel-routed one (same hop count).
  const std::string baselines = stacks && !o.baselines_given ? "veth,routed" : o.baselines;
  for (const auto& b : split(baselines, ',')) {
    if (b == "none") continue;
    auto sut = harness::suts::baseline(b);
    if (!sut) {
      std::string known;
      for (const auto& n : harness::suts::baseline_names()) known += n + ", ";
      throw std::invalid_argument(fmt::format("--baselines: unknown baseline '{}' ({}none)", b, known));
    }
    rows.push_back({"kernel " + b, std::move(*sut), {}});
  }
  // With stacks and no --modes, the run is about stacks: no tunfwd rows.
  const bool want_modes = o.modes_given || !stacks ? o.modes != "none" : false;
  if (want_modes) {
    const std::string tunfwd = find_tunfwd(o.tunfwd);
    if (tunfwd.empty()) {
      if (o.modes_given) throw std::runtime_error("tunfwd not found next to tunbench; pass --tunfwd PATH");
      std::cerr << "note: tunfwd not found next to tunbench, running baselines and --forwarder rows only\n";
    } else {
      const auto catalog = harness::TunfwdModes::query(tunfwd);
      const auto modes = o.modes == "all" ? catalog.names() : split(o.modes, ',');
      for (const auto& mode : modes) {
        auto traits = catalog.require(mode);  // an unknown mode stops here, before anything starts
        rows.push_back({mode, tunfwd_sut(tunfwd, mode), std::move(traits)});
      }
    }
  }
  for (const auto& spec : o.forwarders) {
    const auto [label, command] = label_and(spec, "--forwarder", "COMMAND ARGS");
    rows.push_back({label, command_forwarder_sut(label, command), {}});
  }
  for (const auto& spec : o.suts) {
    const auto [label, path] = label_and(spec, "--sut", "FILE.json");
    const auto text = harness::read_file(path);
    if (text.empty()) throw std::invalid_argument(fmt::format("--sut {}: cannot read {}", label, path));
    const auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded()) throw std::invalid_argument(fmt::format("--sut {}: {} is not JSON", label, path));
    harness::SutSpec sut;
    try {
      sut = j.get<harness::SutSpec>();
    } catch (const std::exception& e) {
      throw std::invalid_argument(fmt::format("--sut {}: {}: {}", label, path, e.what()));
    }
    rows.push_back({label, named_by_label(std::move(sut), label, "--sut"), {}});
  }
  for (const auto& name : split(o.stacks, ',')) {
    std::string tunstack;
    if (name == "ours") {
      tunstack = find_binary("tunstack", o.tunstack);
      if (tunstack.empty()) throw std::invalid_argument("tunstack not found next to tunbench; pass --tunstack PATH");
    }
    auto sut = harness::suts::builtin_stack(name, tunstack);
    if (!sut) {
      std::string known;
      for (const auto& n : harness::suts::stack_names()) known += (known.empty() ? "" : ", ") + n;
      throw std::invalid_argument(fmt::format("--stacks: unknown stack '{}' ({})", name, known));
    }
    const std::string label = name == "ours" ? "tunstack" : name;
    rows.push_back({label, std::move(*sut), {}});
  }
  for (const auto& spec : o.stack_cmds) {
    const auto [label, command] = label_and(spec, "--stack", "COMMAND ARGS");
    // Through sh so users can quote; `exec` keeps the stack's own pid. Placeholders are expanded
    // in the command line before sh sees it.
    rows.push_back(
        {label, named_by_label(harness::suts::stack({"/bin/sh", "-c", "exec " + command}, {}), label, "--stack"), {}});
  }
  return rows;
}

// The directions each row is measured in: --directions for every row when given; otherwise a
// stack both ways (upload and download differ a lot there), the baselines both ways when stacks
// are measured (each direction is divided by its own), and everything else up (or down with -R).
std::vector<std::string> directions_of(const RunOptions& o, const harness::RowSpec& row, bool stacks) {
  std::vector<std::string> list;
  if (!o.directions.empty()) {
    list = split(o.directions, ',');
    for (const auto& d : list)
      if (d != "up" && d != "down") throw std::invalid_argument("--directions: '" + d + "' is not up or down");
    if (list.empty()) throw std::invalid_argument("--directions: none given");
    return list;
  }
  const bool both = row.sut.kind == "stack" || (stacks && !row.sut.has_processes());
  if (both) return {"up", "down"};
  return {o.reverse ? "down" : "up"};
}

std::vector<harness::RowSpec> build_rows(const RunOptions& o) {
  const bool stacks = !o.stacks.empty() || !o.stack_cmds.empty();
  std::vector<harness::RowSpec> rows;
  for (auto& row : undirected_rows(o, stacks)) {
    const auto list = directions_of(o, row, stacks);
    for (const auto& d : list) {
      harness::RowSpec r = row;
      r.reverse = d == "down";
      // A row measured both ways: the label says which.
      if (list.size() > 1) r.label += d == "down" ? " down" : " up";
      rows.push_back(std::move(r));
    }
  }
  return rows;
}

int run_command(const RunOptions& o) {
  const auto rows = build_rows(o);
  if (rows.empty()) throw std::runtime_error("nothing to run: no modes, forwarders or baselines");
  bool tun = false;
  for (const auto& row : rows) tun = tun || row.sut.has_processes();
  preflight("run", tun);
  harness::install_interrupt_handlers();
  harness::RunState state(harness::make_run_id());
  const fs::path log_dir = fs::temp_directory_path() / ("tunbench-" + state.run_id());
  fs::create_directories(log_dir);

  harness::BenchOptions options;
  options.iperf.duration_s = o.duration;
  options.iperf.parallel = o.parallel;
  options.iperf.udp = o.udp;
  options.iperf.udp_rate = o.udp_rate;
  options.iperf.udp_length = o.udp_length;
  options.iperf.reverse = o.reverse;
  options.repeat = o.repeat;
  options.profile = o.profile;
  if (o.profile && harness::run_command({"sh", "-c", "command -v perf"}).exit_code != 0) {
    std::cerr << "note: --profile ignored: `perf` is not installed (apt-get install linux-perf)\n";
    options.profile = false;
  }
  options.quiet_wait = o.quiet_wait;
  options.row_order = harness::parse_row_order(o.row_order);
  options.quiet_wait_limit = std::chrono::seconds(o.quiet_wait_limit);
  options.thresholds = {o.max_others_cpu, o.max_steal};
  options.device_timeout = std::chrono::milliseconds(o.device_timeout_ms);
  options.placeholders = {{"mtu", std::to_string(o.stack_mtu)}};
  options.log_dir = log_dir;

  Progress progress;
  harness::RunResult run_rows;  // for live lines: the row's samples so far
  for (const auto& r : rows) {
    harness::RowResult view;
    view.label = r.label;
    view.kind = r.sut.kind;
    view.sampled = r.sut.sampled();
    run_rows.rows.push_back(std::move(view));
  }
  harness::BenchEvents events;
  events.progress = [&](const harness::RowSpec& row, int pass, int left) {
    progress.show(fmt::format("{}  pass {}/{}  {}s left", row.label, pass, o.repeat, left));
  };
  events.note = [&](const std::string& text) {
    progress.clear();
    std::cerr << "note: " << text << '\n';
  };
  events.sample_done = [&](const harness::RowSpec& row, const harness::Sample& sample) {
    progress.clear();
    std::cout << report::sample_line(*run_rows.find(row.label), sample) << std::endl;
  };
  ProfileFlames flames;  // --profile: each row's stacks, for its flame graph
  events.profiled = [&](const harness::RowSpec& row, int, const fs::path& perf_data) {
    progress.show(fmt::format("{}  folding the profile", row.label));
    const auto problem = flames.add(row.label, perf_data);
    progress.clear();
    if (problem) std::cerr << "note: " << *problem << '\n';
  };

  std::cerr << fmt::format("tunbench: {} row(s) × {} pass(es) × {} s; logs in {}\n", rows.size(), o.repeat, o.duration,
                           log_dir.string());
  if (const auto note = harness::rotation_note(rows, o.repeat, options.row_order))
    std::cerr << "note: " << *note << '\n';
  harness::Bench bench(rows, options, &state, events);
  harness::RunResult result;
  try {
    result = bench.run();
  } catch (const harness::Interrupted& e) {
    progress.clear();
    std::cerr << "tunbench: interrupted; namespaces and processes removed\n";
    return 128 + e.signal;
  }
  std::cout << '\n' << report::markdown_table(result) << report::markdown_side_by_side(result);
  if (!o.json.empty()) report::write_json(result, o.json);
  write_report_files(result, o.markdown, o.chart, flames.write(o.json, o.markdown, log_dir));
  bool any_failed_row = false;
  for (const auto& row : result.rows)
    if (row.ok_samples().empty()) {
      any_failed_row = true;
      std::cerr << fmt::format("FAILED row {}: {}\n", row.label, row.samples.empty() ? "" : row.samples.front().error);
    }
  // A profile's perf.data lives in the per-sample logs: --profile keeps them.
  if (!o.keep_logs && !options.profile && !any_failed_row) fs::remove_all(log_dir);
  return any_failed_row ? 1 : 0;
}

void add_run(CLI::App& app, int* exit_code) {
  auto o = std::make_shared<RunOptions>();
  auto* run = app.add_subcommand("run", "Benchmark forwarders with iperf3 in private network namespaces");
  run->add_option("--modes", o->modes, "tunfwd modes: all (tunfwd --list), none, or a comma list")
      ->capture_default_str();
  run->add_option("--tunfwd", o->tunfwd, "tunfwd binary (default: next to tunbench)");
  run->add_option("--forwarder", o->forwarders,
                  "another forwarder: 'LABEL=COMMAND ARGS', creating tun11/tun22 itself (repeatable)");
  run->add_option("--sut", o->suts,
                  "any system under test described in a file: 'LABEL=FILE.json' (tunbench-sut/1, see "
                  "docs/architecture.md; repeatable)");
  run->add_option("--stacks", o->stacks,
                  "userspace stacks behind a TUN: ours (tunstack), pasta, pasta-m9000, slirp4netns (comma list)");
  run->add_option("--stack", o->stack_cmds,
                  "another stack: 'LABEL=COMMAND ARGS' run in tb-fwd, creating tun0 there (placeholders {ns:a}, "
                  "{netns_path:a}, {mtu}, {stats_json}; repeatable)");
  run->add_option("--tunstack", o->tunstack, "tunstack binary (default: next to tunbench)");
  run->add_option("--stack-mtu", o->stack_mtu, "MTU of tunstack's TUN ({mtu})")
      ->capture_default_str()
      ->check(CLI::Range(1280, 65520));
  run->add_option("--directions", o->directions,
                  "up (the client sends), down (-R) or up,down; default up, or both when stacks are measured");
  run->add_option("--baselines", o->baselines,
                  "kernel baselines: veth,loopback,routed or none (default veth,loopback; with stacks veth,routed)")
      ->capture_default_str();
  run->add_option("-t,--duration", o->duration, "seconds per sample")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
  run->add_option("-r,--repeat", o->repeat, "passes, interleaved across rows")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  run->add_option("-P,--parallel", o->parallel, "iperf3 parallel streams")
      ->capture_default_str()
      ->check(CLI::Range(1, 128));
  run->add_flag("--udp", o->udp, "UDP instead of TCP");
  run->add_option("--udp-rate", o->udp_rate, "iperf3 -b for UDP (0 = unlimited)")->capture_default_str();
  run->add_option("--udp-length", o->udp_length,
                  "iperf3 -l for UDP: bytes per datagram (0 = iperf3's choice, from the path's MTU: rows at different "
                  "MTUs then send different sizes)")
      ->capture_default_str()
      ->check(CLI::Range(0, 65507));
  run->add_flag("-R,--reverse", o->reverse, "server sends, client receives (= --directions down)");
  run->add_option("--json", o->json, "write every raw sample and the machine description");
  run->add_option("--markdown", o->markdown, "write the markdown report");
  run->add_option("--chart", o->chart, "write a PNG chart (gnuplot)");
  run->add_flag("--profile", o->profile, "perf record the forwarder during each sample (implies --keep-logs)");
  run->add_flag("--quiet-wait", o->quiet_wait, "before each sample, wait for a quiet machine");
  run->add_option("--quiet-wait-limit", o->quiet_wait_limit, "seconds to wait at most")->capture_default_str();
  run->add_option("--row-order", o->row_order,
                  "rotate: baselines first, the other rows one place further each pass, so no row always runs in "
                  "the same place; fixed: every pass in the given order")
      ->capture_default_str()
      ->check(CLI::IsMember({"rotate", "fixed"}));
  run->add_option("--max-others-cpu", o->max_others_cpu,
                  "untrusted when other processes use more CPU % (one core = 100)")
      ->capture_default_str();
  run->add_option("--max-steal", o->max_steal, "untrusted when hypervisor steal exceeds this %")->capture_default_str();
  run->add_option("--device-timeout-ms", o->device_timeout_ms,
                  "how long a system under test may take to be ready (e.g. a forwarder to create tun11/tun22)")
      ->capture_default_str();
  run->add_flag("--keep-logs", o->keep_logs, "keep the per-sample logs even when every row succeeded");
  run->callback([o, run, exit_code] {
    o->modes_given = run->count("--modes") > 0;
    o->baselines_given = run->count("--baselines") > 0;
    try {
      *exit_code = run_command(*o);
    } catch (const std::invalid_argument& e) {  // bad input, found before anything started
      std::cerr << "tunbench run: " << e.what() << '\n';
      *exit_code = 2;
    } catch (const std::exception& e) {
      std::cerr << "tunbench run: " << e.what() << '\n';
      *exit_code = 1;
    }
  });
}

void add_list(CLI::App& app, int* exit_code) {
  auto tunfwd = std::make_shared<std::string>();
  auto* list = app.add_subcommand("list", "List the rows tunbench can run");
  list->add_option("--tunfwd", *tunfwd, "tunfwd binary (default: next to tunbench)");
  list->callback([tunfwd, exit_code] {
    for (const auto& name : harness::suts::baseline_names())
      std::cout << fmt::format("baseline {:<20} {}\n", name, harness::suts::baseline(name)->description);
    const auto path = find_tunfwd(*tunfwd);
    if (path.empty()) {
      std::cerr << "tunfwd not found next to tunbench; pass --tunfwd PATH\n";
      *exit_code = 1;
      return;
    }
    try {
      const auto catalog = harness::TunfwdModes::query(path);
      for (const auto& mode : catalog.names())
        std::cout << fmt::format("mode     {:<20} {}\n", mode, catalog.require(mode).value("description", ""));
    } catch (const std::exception& e) {
      std::cerr << "tunbench list: " << e.what() << '\n';
      *exit_code = 1;
    }
  });
}

void add_cleanup(CLI::App& app, int* exit_code) {
  auto force = std::make_shared<bool>(false);
  auto* cleanup = app.add_subcommand("cleanup", "Remove namespaces and processes left by killed tunbench runs");
  cleanup->add_flag("--force", *force, "also remove those of runs that still seem alive");
  cleanup->callback([force, exit_code] {
    try {
      const auto r = harness::cleanup_leftovers(*force);
      for (const auto& p : r.processes_killed) std::cout << "killed " << p << '\n';
      for (const auto& ns : r.namespaces_deleted) std::cout << "deleted namespace " << ns << '\n';
      for (const auto& id : r.kept_live_runs) std::cout << "kept run " << id << " (still running; --force to remove)\n";
      for (const auto& e : r.errors) std::cerr << "error: " << e << '\n';
      if (r.processes_killed.empty() && r.namespaces_deleted.empty()) std::cout << "nothing to clean up\n";
      *exit_code = r.errors.empty() ? 0 : 1;
    } catch (const std::exception& e) {
      std::cerr << "tunbench cleanup: " << e.what() << '\n';
      *exit_code = 1;
    }
  });
}

void add_compare(CLI::App& app, int* exit_code) {
  struct Args {
    std::string base, head, markdown;
    harness::GateOptions gate;
  };
  auto a = std::make_shared<Args>();
  auto* compare = app.add_subcommand("compare", "Compare two run files; exit 1 on a significant regression");
  compare->add_option("BASE", a->base, "run file (--json) of the baseline")->required()->check(CLI::ExistingFile);
  compare->add_option("HEAD", a->head, "run file of the candidate")->required()->check(CLI::ExistingFile);
  compare->add_option("--markdown", a->markdown, "write the report here too");
  compare->add_option("--tolerance", a->gate.tolerance_percent, "smallest change that counts, %")
      ->capture_default_str();
  compare->add_option("--alpha", a->gate.alpha, "significance level")->capture_default_str();
  compare->add_flag("--paired", a->gate.paired,
                    "pair the samples by pass (both files split from one run, as ci/perf-gate.sh makes them)");
  compare->callback([a, exit_code] {
    harness::RunResult base, head;
    try {
      base = report::read_json(a->base);
      head = report::read_json(a->head);
      if (a->gate.paired)
        if (const auto why = harness::unpairable(base, head); !why.empty())
          throw std::runtime_error("--paired: " + why);
    } catch (const std::exception& e) {
      std::cerr << "tunbench compare: " << e.what() << '\n';
      *exit_code = kExitBadInput;
      return;
    }
    try {
      const auto comparison = harness::compare_runs(base, head, a->gate);
      const auto text = report::compare_markdown(comparison, base, head, a->gate);
      std::cout << text;
      if (!a->markdown.empty()) report::write_text(text, a->markdown);
      *exit_code = comparison.regression() ? kExitFailure : kExitOk;
    } catch (const std::exception& e) {
      std::cerr << "tunbench compare: " << e.what() << '\n';
      *exit_code = kExitFailure;
    }
  });
}

void add_report(CLI::App& app, int* exit_code) {
  struct Args {
    std::string run, markdown, chart;
  };
  auto a = std::make_shared<Args>();
  auto* cmd =
      app.add_subcommand("report", "Print the summary table of a saved run; write its markdown and chart again");
  cmd->add_option("RUN", a->run, "run file (--json of tunbench run)")->required()->check(CLI::ExistingFile);
  cmd->add_option("--markdown", a->markdown, "write the markdown report here");
  cmd->add_option("--chart", a->chart, "write the PNG chart here");
  cmd->callback([a, exit_code] {
    harness::RunResult result;
    try {
      result = report::read_json(a->run);
    } catch (const std::exception& e) {
      std::cerr << "tunbench report: " << e.what() << '\n';
      *exit_code = kExitBadInput;
      return;
    }
    try {
      std::cout << report::markdown_table(result) << report::markdown_side_by_side(result);
      write_report_files(result, a->markdown, a->chart);
      *exit_code = kExitOk;
    } catch (const std::exception& e) {
      std::cerr << "tunbench report: " << e.what() << '\n';
      *exit_code = kExitFailure;
    }
  });
}

}  // namespace

void add_harness_commands(CLI::App& app, int* exit_code) {
  add_report(app, exit_code);
  add_run(app, exit_code);
  add_list(app, exit_code);
  add_cleanup(app, exit_code);
  add_compare(app, exit_code);
}

}  // namespace tunbench_app

// `tunbench calibrate`: adopts a new benchmark machine. Measures it from a known-good build with
// the runs the perf tests make (more passes), derives its thresholds profiles from the spread of
// those passes (harness/calibrate.h) and writes them where `ctest -L perf` looks first:
// fixtures/thresholds/local/HOST.json and fixtures/thresholds/stack/local/HOST.json (git-ignored).
// --from-run / --from-stack-run derive from saved run files instead, without measuring.
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "harness/calibrate.h"
#include "harness/command.h"
#include "harness/machine.h"
#include "report/json_file.h"
#include "tunbench/commands.h"
#include "tunbench/shared.h"

#ifndef TB_SOURCE_DIR
#define TB_SOURCE_DIR "."
#endif

namespace tunbench_app {
namespace {

namespace fs = std::filesystem;

struct CalibrateArgs {
  std::string profiles = "modes,stack";
  int repeat = 5;
  int duration = 5;
  double margin = 0.9;
  std::string thresholds_dir = TB_SOURCE_DIR "/fixtures/thresholds";
  std::string runs_dir = TB_SOURCE_DIR "/results";
  std::string name;
  std::string tunfwd, tunstack;
  std::string from_run, from_stack_run;
  std::string commit;
};

// One profile to make: which runs measure it, where it goes.
struct Target {
  std::string what;                   // "modes" or "stack"
  std::vector<std::string> run_args;  // `tunbench run` arguments but the passes and --json
  fs::path run_json;                  // the run: measured here, or given
  fs::path profile;                   // the profile written
  bool measure = true;
};

// Letters, digits, '-', '_' and '.' of a host name; anything else becomes '_' (a file name).
std::string file_stem(const std::string& host) {
  std::string stem;
  for (char c : host) stem += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ? c : '_';
  return stem.empty() || stem[0] == '.' ? "machine" + stem : stem;
}

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

// The source tree's commit, "+dirty" when tracked files differ from it; "" when not a git
// checkout. safe.directory: as root through sudo the checkout belongs to someone else, and git
// would refuse to read it.
std::string source_commit() {
  try {
    const std::vector<std::string> git = {"git", "-c", "safe.directory=*", "-C", TB_SOURCE_DIR};
    auto args = git;
    args.insert(args.end(), {"rev-parse", "HEAD"});
    const auto head = harness::run_command(args);
    if (!head.ok()) return {};
    std::string sha = head.out.substr(0, head.out.find('\n'));
    args = git;
    args.insert(args.end(), {"status", "--porcelain", "--untracked-files=no"});
    const auto status = harness::run_command(args);
    if (!status.ok() || !status.out.empty()) sha += "+dirty";
    return sha;
  } catch (const std::exception&) {
    return {};
  }
}

// Files made as root through sudo go back to the user who asked, so the checkout stays theirs.
void give_back(const fs::path& path) {
  if (::geteuid() != 0) return;
  const char* uid = std::getenv("SUDO_UID");
  const char* gid = std::getenv("SUDO_GID");
  if (!uid || !gid) return;
  if (::chown(path.c_str(), static_cast<uid_t>(std::stoul(uid)), static_cast<gid_t>(std::stoul(gid))) != 0)
    std::cerr << fmt::format("note: could not give {} back to uid {}\n", path.string(), uid);
}

void make_dirs(const fs::path& dir) {
  // Each level made here goes back to the user too, not only the leaf.
  std::vector<fs::path> made;
  for (fs::path p = dir; !p.empty() && !fs::exists(p); p = p.parent_path()) made.push_back(p);
  fs::create_directories(dir);
  for (const auto& p : made) give_back(p);
}

volatile std::sig_atomic_t g_child = 0;
extern "C" void forward_signal(int signal) {
  if (g_child > 0) ::kill(static_cast<pid_t>(g_child), signal);
}

// Runs this tunbench binary with `args` (stdout and stderr shared) and returns its exit status,
// 128 + N when it died by signal N. SIGINT/SIGTERM/SIGHUP sent to us go on to it, so `tunbench
// run` removes its namespaces as it does when interrupted directly.
int run_self(const std::vector<std::string>& args) {
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) throw std::runtime_error("cannot find this tunbench binary (/proc/self/exe): " + ec.message());
  std::vector<std::string> argv = {self.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> c_argv;
  c_argv.reserve(argv.size() + 1);
  for (auto& a : argv) c_argv.push_back(a.data());
  c_argv.push_back(nullptr);
  std::cout << "calibrate: " << harness::join_command(argv) << std::endl;

  struct sigaction forward {
  }, old_int{}, old_term{}, old_hup{};
  forward.sa_handler = forward_signal;
  sigemptyset(&forward.sa_mask);
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::execv(c_argv[0], c_argv.data());
    _exit(127);
  }
  g_child = pid;
  sigaction(SIGINT, &forward, &old_int);
  sigaction(SIGTERM, &forward, &old_term);
  sigaction(SIGHUP, &forward, &old_hup);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  g_child = 0;
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGTERM, &old_term, nullptr);
  sigaction(SIGHUP, &old_hup, nullptr);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

// Derives and writes one profile; false (with the reasons on stderr) when the run cannot make one.
bool derive_and_write(const Target& t, const CalibrateArgs& a, const std::string& command, const std::string& commit) {
  auto run = report::read_json(t.run_json);
  run.compute_ratios();
  harness::CalibrationRules rules;
  rules.floor_margin = a.margin;
  const auto calibration = harness::calibrate_rows(run, rules);
  for (const auto& label : calibration.left_out)
    std::cout << fmt::format("calibrate: {}: row {} left out (another implementation's, not ours to gate)\n", t.what,
                             label);
  if (calibration.untrusted_samples > 0)
    std::cerr << fmt::format("note: {} sample(s) flagged untrusted (a busy machine) left out\n",
                             calibration.untrusted_samples);
  if (!calibration.ok()) {
    std::cerr << fmt::format("tunbench calibrate: {}: no profile written ({}):\n", t.what, t.run_json.string());
    for (const auto& p : calibration.problems) std::cerr << "  " << p << '\n';
    if (calibration.rows.empty() && calibration.problems.empty())
      std::cerr << "  the run has no row of ours or of the kernel besides veth\n";
    return false;
  }
  const auto profile = harness::calibrated_profile(calibration, run, rules, {command, commit, utc_now()});
  make_dirs(t.profile.parent_path());
  const bool replaced = fs::exists(t.profile);
  report::write_text(profile.dump(2) + "\n", t.profile);
  give_back(t.profile);
  std::cout << fmt::format("calibrate: {} {} ({} rows, CPU model \"{}\")\n", replaced ? "replaced" : "wrote",
                           t.profile.string(), calibration.rows.size(),
                           profile["cpu_model_match"][0].get<std::string>());
  for (const auto& [label, row] : calibration.rows.items())
    std::cout << fmt::format("  {:<24} min_ratio {:.3f}  (passes {:.3f} .. {:.3f}, median {:.3f})\n", label,
                             row["min_ratio"].get<double>(), row["measured_min_ratio"].get<double>(),
                             row["measured_max_ratio"].get<double>(), row["measured_median_ratio"].get<double>());
  return true;
}

int calibrate(const CalibrateArgs& a) {
  if (a.repeat < 3)
    throw std::invalid_argument("--repeat must be at least 3: the floors come from the spread of the passes");
  if (!(a.margin > 0 && a.margin <= 1)) throw std::invalid_argument("--margin must be in (0, 1]");
  const bool from_files = !a.from_run.empty() || !a.from_stack_run.empty();
  const fs::path dir = a.thresholds_dir;
  std::string name = a.name;
  if (name.empty()) name = file_stem(harness::describe_machine().value("hostname", "machine"));
  const std::string stem = file_stem(name);
  const std::string common = fmt::format("--repeat {} --duration {} --quiet-wait", a.repeat, a.duration);

  std::vector<Target> targets;
  auto add_modes = [&](bool measure, const fs::path& run) {
    Target t{"modes",
             {"run", "--modes", "all", "--baselines", "veth,loopback"},
             run,
             dir / "local" / (stem + ".json"),
             measure};
    if (!a.tunfwd.empty()) t.run_args.insert(t.run_args.end(), {"--tunfwd", a.tunfwd});
    targets.push_back(std::move(t));
  };
  auto add_stack = [&](bool measure, const fs::path& run) {
    Target t{"stack", {"run", "--stacks", "ours"}, run, dir / "stack" / "local" / (stem + ".json"), measure};
    if (!a.tunstack.empty()) t.run_args.insert(t.run_args.end(), {"--tunstack", a.tunstack});
    targets.push_back(std::move(t));
  };
  if (from_files) {
    if (!a.from_run.empty()) add_modes(false, a.from_run);
    if (!a.from_stack_run.empty()) add_stack(false, a.from_stack_run);
  } else {
    std::vector<std::string> wanted;
    for (std::size_t start = 0; start <= a.profiles.size();) {
      const auto end = std::min(a.profiles.find(',', start), a.profiles.size());
      const auto item = a.profiles.substr(start, end - start);
      if (item != "modes" && item != "stack")
        throw std::invalid_argument("--profiles: '" + item + "' is not modes or stack");
      wanted.push_back(item);
      start = end + 1;
    }
    for (const auto& what : std::vector<std::string>{"modes", "stack"}) {
      if (std::find(wanted.begin(), wanted.end(), what) == wanted.end()) continue;
      const fs::path run = fs::path(a.runs_dir) / fmt::format("calibrate-{}-{}.json", stem, what);
      what == "modes" ? add_modes(true, run) : add_stack(true, run);
    }
    if (targets.empty()) throw std::invalid_argument("--profiles: none given (modes, stack)");
    preflight("calibrate", true);
  }

  const std::string commit = from_files ? a.commit : (a.commit.empty() ? source_commit() : a.commit);
  int rc = 0;
  for (auto& t : targets) {
    std::string command;
    if (t.measure) {
      make_dirs(t.run_json.parent_path());
      fs::remove(t.run_json);
      auto args = t.run_args;
      args.insert(args.end(), {"--repeat", std::to_string(a.repeat), "--duration", std::to_string(a.duration),
                               "--quiet-wait", "--json", t.run_json.string()});
      const int run_rc = run_self(args);
      if (fs::exists(t.run_json)) give_back(t.run_json);
      if (run_rc > 128) return run_rc;  // interrupted: the run removed what it made; nothing derived
      if (!fs::exists(t.run_json)) {
        std::cerr << fmt::format("tunbench calibrate: {}: tunbench run wrote no results (exit {})\n", t.what, run_rc);
        rc = 1;
        continue;
      }
      // A row that failed every sample shows up as a problem of its row in derive_and_write.
      command = "tunbench " + harness::join_command(t.run_args) + " " + common + " --json " + t.run_json.string() +
                fmt::format(" (tunbench calibrate --margin {})", a.margin);
    } else {
      command = fmt::format("tunbench calibrate --from-{}run {} --margin {}", t.what == "stack" ? "stack-" : "",
                            t.run_json.string(), a.margin);
    }
    if (!derive_and_write(t, a, command, commit)) rc = 1;
  }
  if (rc == 0 && !from_files)
    std::cout << "calibrate: done; `sudo ctest --test-dir build/release -L perf` now checks against these profiles\n";
  return rc;
}

}  // namespace

void add_calibrate_command(CLI::App& app, int* exit_code) {
  auto a = std::make_shared<CalibrateArgs>();
  auto* cmd = app.add_subcommand(
      "calibrate",
      "Measure this machine from a known-good build and write its thresholds profiles for `ctest -L perf`");
  cmd->add_option("--profiles", a->profiles, "which profiles to measure: modes (every tunfwd mode), stack (tunstack)")
      ->capture_default_str();
  cmd->add_option("-r,--repeat", a->repeat, "interleaved passes (at least 3: the floors come from their spread)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  cmd->add_option("-t,--duration", a->duration, "seconds per sample")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
  cmd->add_option("--margin", a->margin, "min_ratio = margin x the lowest ratio to veth of any pass")
      ->capture_default_str();
  cmd->add_option("--thresholds-dir", a->thresholds_dir,
                  "profiles go to DIR/local/NAME.json and DIR/stack/local/NAME.json")
      ->capture_default_str();
  cmd->add_option("--name", a->name, "file name of the profiles (default: this host's name)");
  cmd->add_option("--runs-dir", a->runs_dir, "where the measured runs are kept (calibrate-NAME-{modes,stack}.json)")
      ->capture_default_str();
  cmd->add_option("--tunfwd", a->tunfwd, "tunfwd binary (default: next to tunbench)");
  cmd->add_option("--tunstack", a->tunstack, "tunstack binary (default: next to tunbench)");
  cmd->add_option("--from-run", a->from_run, "derive the modes profile from this run file instead of measuring")
      ->check(CLI::ExistingFile);
  cmd->add_option("--from-stack-run", a->from_stack_run,
                  "derive the stack profile from this run file instead of measuring")
      ->check(CLI::ExistingFile);
  cmd->add_option("--commit", a->commit, "the commit the measured build was made from (default: this checkout's)");
  cmd->callback([a, exit_code] {
    try {
      *exit_code = calibrate(*a);
    } catch (const std::invalid_argument& e) {
      std::cerr << "tunbench calibrate: " << e.what() << '\n';
      *exit_code = 2;
    } catch (const std::exception& e) {
      std::cerr << "tunbench calibrate: " << e.what() << '\n';
      *exit_code = 1;
    }
  });
}

}  // namespace tunbench_app

#include "harness/bench.h"

#include <thread>

#include <fmt/format.h>

#include "harness/command.h"
#include "harness/interrupt.h"
#include "harness/machine.h"
#include "harness/monitor.h"
#include "harness/process.h"
#include "harness/run_state.h"
#include "harness/topology.h"

namespace harness {
namespace {

Layout layout_of(RowKind kind) {
  switch (kind) {
    case RowKind::veth: return Layout::veth;
    case RowKind::loopback: return Layout::loopback;
    default: return Layout::forwarder;
  }
}

std::string file_safe(const std::string& label) {
  std::string safe = label;
  for (char& c : safe)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') c = '_';
  return safe;
}

void interruptible_sleep(std::chrono::milliseconds duration) {
  const auto until = std::chrono::steady_clock::now() + duration;
  while (std::chrono::steady_clock::now() < until) {
    throw_if_interrupted();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

// Keeps a child recorded in the run's state file while it lives.
class Tracked {
 public:
  Tracked(RunState* state, pid_t pid) : state_(state), pid_(pid) {
    if (state_) state_->add_child(pid_);
  }
  ~Tracked() {
    if (state_) state_->remove_child(pid_);
  }
  Tracked(const Tracked&) = delete;
  Tracked& operator=(const Tracked&) = delete;

 private:
  RunState* state_;
  pid_t pid_;
};

}  // namespace

Bench::Bench(std::vector<RowSpec> rows, BenchOptions options, RunState* state, BenchEvents events)
    : rows_(std::move(rows)), options_(std::move(options)), state_(state), events_(std::move(events)) {}

std::string Bench::trust(const MonitorSummary& m) const {
  std::string why;
  if (m.others_cpu > options_.thresholds.max_others_cpu)
    why = fmt::format("other processes used {:.0f}% CPU", m.others_cpu);
  if (m.steal_percent > options_.thresholds.max_steal_percent)
    why += fmt::format("{}steal {:.1f}%", why.empty() ? "" : "; ", m.steal_percent);
  return why;
}

void Bench::wait_for_quiet() {
  const auto deadline = std::chrono::steady_clock::now() + options_.quiet_wait_limit;
  for (;;) {
    Monitor probe(-1);
    probe.start();
    interruptible_sleep(std::chrono::milliseconds(1000));
    const auto m = probe.stop();
    const auto why = trust(m);
    if (why.empty()) return;
    if (std::chrono::steady_clock::now() >= deadline) {
      if (events_.note) events_.note(fmt::format("machine still busy after {} s ({}); measuring anyway",
                                                 options_.quiet_wait_limit.count(), why));
      return;
    }
    if (events_.note) events_.note("waiting for a quiet machine: " + why);
  }
}

Sample Bench::measure(const RowSpec& row, int pass) {
  Sample sample;
  sample.pass = pass;
  if (options_.quiet_wait) wait_for_quiet();
  const auto dir = options_.log_dir / fmt::format("{}-{}", file_safe(row.label), pass);
  std::filesystem::create_directories(dir);

  // Declaration order is teardown order in reverse: perf and the forwarder stop before the
  // namespaces holding their devices go away.
  Topology topology(layout_of(row.kind), fmt::format("{}-{}", state_ ? state_->run_id() : "x", ++topology_count_), state_);
  Process forwarder;
  std::unique_ptr<Tracked> forwarder_tracked;
  if (!row.forwarder_argv.empty()) {
    forwarder = Process::spawn({row.forwarder_argv, topology.forwarder_ns(), dir / "forwarder.out", dir / "forwarder.err"});
    forwarder_tracked = std::make_unique<Tracked>(state_, forwarder.pid());
    topology.adopt_tun_devices(forwarder, dir / "forwarder.err", options_.device_timeout);
  }
  Monitor monitor(row.forwarder_argv.empty() ? -1 : forwarder.pid());
  Process perf;
  std::unique_ptr<Tracked> perf_tracked;
  // A forwarder that dies mid-run fails the sample at once, not when iperf3 gives up on the path.
  const auto check_forwarder = [&] {
    if (!row.forwarder_argv.empty() && !forwarder.running())
      throw std::runtime_error(fmt::format("forwarder exited during the measurement (status {}): {}",
                                           forwarder.exit_status().value_or(-1),
                                           tail_lines(read_file((dir / "forwarder.err").string()), 10)));
  };
  Iperf iperf(topology, options_.iperf, dir, state_);
  sample.iperf = iperf.run(
      [&](int left) {
        check_forwarder();
        if (events_.progress) events_.progress(row, pass, left);
      },
      [&] {
        monitor.start();
        if (options_.profile && !row.forwarder_argv.empty()) {
          perf = Process::spawn({{"perf", "record", "-g", "-p", std::to_string(forwarder.pid()), "-o",
                                  (dir / "perf.data").string()},
                                 "", dir / "perf.out", dir / "perf.err"});
          perf_tracked = std::make_unique<Tracked>(state_, perf.pid());
        }
      });
  sample.monitor = monitor.stop();
  if (perf.pid() > 0) {
    perf.stop(std::chrono::milliseconds(5000));  // SIGINT first: perf writes its file then
    if (events_.note) events_.note(fmt::format("profile: perf report -i {}", (dir / "perf.data").string()));
  }
  check_forwarder();
  sample.untrusted = trust(sample.monitor);
  sample.ok = true;
  return sample;
}

RunResult Bench::run() {
  RunResult result;
  result.machine = describe_machine();
  result.settings = {{"duration_s", options_.iperf.duration_s}, {"repeat", options_.repeat},
                     {"parallel", options_.iperf.parallel}, {"udp", options_.iperf.udp},
                     {"reverse", options_.iperf.reverse}, {"max_others_cpu", options_.thresholds.max_others_cpu},
                     {"max_steal_percent", options_.thresholds.max_steal_percent}};
  for (const auto& spec : rows_) {
    RowResult row;
    row.label = spec.label;
    row.kind = spec.kind;
    row.command = join_command(spec.forwarder_argv);
    if (spec.kind == RowKind::tunfwd) classify_mode(spec.label, row);
    result.rows.push_back(std::move(row));
  }
  for (int pass = 1; pass <= options_.repeat; ++pass) {
    for (std::size_t i = 0; i < rows_.size(); ++i) {
      Sample sample;
      try {
        sample = measure(rows_[i], pass);
      } catch (const Interrupted&) {
        throw;
      } catch (const std::exception& e) {
        sample = Sample{};
        sample.pass = pass;
        sample.error = e.what();
      }
      result.rows[i].samples.push_back(sample);
      result.compute_ratios();
      if (events_.sample_done) events_.sample_done(rows_[i], result.rows[i].samples.back());
    }
  }
  return result;
}

}  // namespace harness

#include "harness/bench.h"

#include <thread>

#include <fmt/format.h>

#include "harness/command.h"
#include "harness/interrupt.h"
#include "harness/label.h"
#include "harness/machine.h"
#include "harness/monitor.h"
#include "harness/process.h"
#include "harness/run_state.h"
#include "harness/sut_instance.h"

namespace harness {
namespace {

void interruptible_sleep(std::chrono::milliseconds duration) {
  const auto until = std::chrono::steady_clock::now() + duration;
  while (std::chrono::steady_clock::now() < until) {
    throw_if_interrupted();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

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
    Monitor probe({});
    probe.start();
    interruptible_sleep(std::chrono::milliseconds(1000));
    const auto m = probe.stop();
    const auto why = trust(m);
    if (why.empty()) return;
    if (std::chrono::steady_clock::now() >= deadline) {
      if (events_.note)
        events_.note(fmt::format("machine still busy after {} s ({}); measuring anyway",
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

  // Declaration order is teardown order in reverse: perf stops before the system under test,
  // which stops its processes before its namespaces go away.
  SutInstance sut(row.sut, fmt::format("{}-{}", state_ ? state_->run_id() : "x", ++topology_count_), dir, state_,
                  options_.device_timeout, options_.placeholders);
  const auto pids = sut.sampled_pids();
  Monitor monitor(pids);
  Process perf;
  std::unique_ptr<TrackedChild> perf_tracked;
  IperfOptions iperf_options = options_.iperf;
  iperf_options.reverse = row.reverse;
  std::optional<Topology::DeviceBytes> guard_before;
  if (row.sut.guard) guard_before = sut.topology().device_bytes(row.sut.guard->ns, row.sut.guard->device);
  Iperf iperf({sut.topology().client_ns(), sut.topology().server_ns(), sut.topology().server_address()}, iperf_options,
              dir, state_);
  sample.iperf = iperf.run(
      [&](int left) {
        // A process that dies mid-run fails the sample at once, not when iperf3 gives up on the path.
        sut.check_running();
        if (events_.progress) events_.progress(row, pass, left);
      },
      [&] {
        monitor.start();
        if (options_.profile && !pids.empty()) {
          std::string list;
          for (pid_t pid : pids) list += (list.empty() ? "" : ",") + std::to_string(pid);
          perf = Process::spawn({{"perf", "record", "-g", "-p", list, "-o", (dir / "perf.data").string()},
                                 "",
                                 dir / "perf.out",
                                 dir / "perf.err"});
          perf_tracked = std::make_unique<TrackedChild>(state_, perf.pid());
        }
      });
  sample.monitor = monitor.stop();
  if (perf.pid() > 0) {
    perf.stop(std::chrono::milliseconds(5000));  // SIGINT first: perf writes its file then
    if (events_.profiled)
      events_.profiled(row, pass, dir / "perf.data");
    else if (events_.note)
      events_.note(fmt::format("profile: perf report -i {}", (dir / "perf.data").string()));
  }
  sut.check_running();
  if (row.sut.guard) check_guard(*row.sut.guard, *guard_before, sut.topology(), sample.iperf);
  sut.stop();
  if (auto stats = sut.stats()) sample.stats = std::move(*stats);
  sample.untrusted = trust(sample.monitor);
  sample.ok = true;
  return sample;
}

void Bench::check_guard(const TrafficGuard& g, const Topology::DeviceBytes& before, const Topology& topology,
                        const IperfResult& iperf) {
  const auto after = topology.device_bytes(g.ns, g.device);
  // The direction the data went is the larger count; the other carried the ACKs.
  const std::uint64_t carried = std::max(after.rx - before.rx, after.tx - before.tx);
  const auto needed = static_cast<double>(iperf.bytes) * g.min_share;
  if (static_cast<double>(carried) < needed)
    throw std::runtime_error(fmt::format(
        "{} in {} carried {} bytes of the {} iperf3's receiver got (at least {:.0f} % needed): the traffic went "
        "around the system under test",
        g.device, topology.ns(g.ns), carried, iperf.bytes, g.min_share * 100));
}

RunResult Bench::run() {
  RunResult result;
  result.machine = describe_machine();
  result.settings = {{"duration_s", options_.iperf.duration_s},
                     {"repeat", options_.repeat},
                     {"parallel", options_.iperf.parallel},
                     {"udp", options_.iperf.udp},
                     {"udp_length", options_.iperf.udp_length},
                     {"reverse", options_.iperf.reverse},
                     {"row_order", to_string(options_.row_order)},
                     {"max_others_cpu", options_.thresholds.max_others_cpu},
                     {"max_steal_percent", options_.thresholds.max_steal_percent}};
  for (const auto& spec : rows_) {
    RowResult row;
    row.label = spec.label;
    row.kind = spec.sut.kind;
    row.compare_with = spec.sut.compare_with;
    row.implementation = spec.sut.implementation;
    row.mode = spec.sut.mode;
    row.sampled = spec.sut.sampled();
    for (const auto& p : spec.sut.processes) row.command += (row.command.empty() ? "" : " ; ") + join_command(p.argv);
    row.traits = spec.traits;
    row.direction = spec.reverse ? "down" : "up";
    result.rows.push_back(std::move(row));
  }
  for (int pass = 1; pass <= options_.repeat; ++pass) {
    for (const std::size_t i : pass_order(rows_, pass, options_.row_order)) {
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

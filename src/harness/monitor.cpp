#include "harness/monitor.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "harness/command.h"
#include "harness/proc_parse.h"

namespace harness {
namespace {

// Processes that are the benchmark itself, not contamination: the load generator, the kernel's
// softirq threads doing the forwarding work, and tunbench.
bool part_of_benchmark(const PidStat& stat) {
  return stat.comm == "iperf3" || stat.comm.starts_with("ksoftirqd") || stat.pid == ::getpid();
}

double seconds(std::chrono::steady_clock::duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

double machine_cpu_percent(const CpuTimes& first, const CpuTimes& last, long ticks_per_second, double wall_seconds,
                           long cpus) {
  if (wall_seconds <= 0 || ticks_per_second <= 0 || cpus <= 0) return 0;
  const auto not_busy = [](const CpuTimes& t) { return static_cast<double>(t.idle + t.iowait + t.steal); };
  const double capacity = static_cast<double>(cpus) * 100.0;
  const double idle = 100.0 * (not_busy(last) - not_busy(first)) / static_cast<double>(ticks_per_second) / wall_seconds;
  // The two readings and the wall clock are taken a few microseconds apart: keep within [0, capacity].
  return std::clamp(capacity - idle, 0.0, capacity);
}

std::vector<pid_t> descendants(const std::vector<pid_t>& roots, const std::map<pid_t, pid_t>& parent_of) {
  std::vector<pid_t> tree = roots;
  std::set<pid_t> seen(roots.begin(), roots.end());
  for (std::size_t i = 0; i < tree.size(); ++i)
    for (const auto& [pid, ppid] : parent_of)
      if (ppid == tree[i] && seen.insert(pid).second) tree.push_back(pid);
  return tree;
}

MonitorSummary summarize_tree(const std::vector<TreeSample>& samples, long ticks_per_second) {
  MonitorSummary s;
  s.samples = static_cast<int>(samples.size());
  if (samples.empty()) return s;
  const auto cpu = [&](const TreeSample& from, const TreeSample& to) {
    const double wall = seconds(to.at - from.at);
    // A child leaving the tree takes its ticks with it: never report negative CPU.
    const double ticks = to.ticks > from.ticks ? static_cast<double>(to.ticks - from.ticks) : 0.0;
    return wall > 0 ? 100.0 * ticks / static_cast<double>(ticks_per_second) / wall : 0.0;
  };
  s.cpu_avg = cpu(samples.front(), samples.back());
  // Maximum over 1 s windows, like the reference table's once-a-second sampling: shorter windows
  // would mostly show the 10 ms tick granularity.
  std::size_t from = 0;
  bool any_window = false;
  for (std::size_t to = 1; to < samples.size(); ++to) {
    while (from + 1 < to && seconds(samples[to].at - samples[from + 1].at) >= 1.0) ++from;
    if (seconds(samples[to].at - samples[from].at) >= 0.999) {
      s.cpu_max = std::max(s.cpu_max, cpu(samples[from], samples[to]));
      any_window = true;
    }
  }
  if (!any_window) s.cpu_max = s.cpu_avg;  // the whole window is shorter than a second
  double rss_sum = 0;
  for (const auto& sample : samples) {
    rss_sum += static_cast<double>(sample.rss_kb);
    s.mem_max_mb = std::max(s.mem_max_mb, static_cast<double>(sample.rss_kb) / 1024.0);
  }
  s.mem_avg_mb = rss_sum / static_cast<double>(samples.size()) / 1024.0;
  return s;
}

Monitor::Monitor(std::vector<pid_t> roots, std::chrono::milliseconds period)
    : roots_(std::move(roots)), period_(period), tree_(roots_) {}

Monitor::~Monitor() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void Monitor::start() {
  stop_ = false;
  thread_ = std::thread([this] { loop(); });
}

void Monitor::sample_tree() {
  TreeSample sample{std::chrono::steady_clock::now(), 0, 0};
  for (pid_t pid : tree_) {
    if (const auto stat = parse_pid_stat(read_file(fmt::format("/proc/{}/stat", pid))))
      sample.ticks += stat->cpu_ticks();
    if (const auto rss = parse_vmrss_kb(read_file(fmt::format("/proc/{}/status", pid)))) sample.rss_kb += *rss;
  }
  samples_.push_back(sample);
}

void Monitor::scan_system() {
  std::map<pid_t, PidStat> all;
  std::map<pid_t, pid_t> parent_of;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const auto name = entry.path().filename().string();
    if (name.empty() || !std::isdigit(static_cast<unsigned char>(name[0]))) continue;
    if (auto stat = parse_pid_stat(read_file(entry.path().string() + "/stat"))) {
      parent_of[stat->pid] = stat->ppid;
      all.emplace(stat->pid, std::move(*stat));
    }
  }
  if (!roots_.empty()) tree_ = descendants(roots_, parent_of);
  const std::set<pid_t> in_tree(tree_.begin(), tree_.end());
  std::map<pid_t, std::uint64_t> others;
  for (const auto& [pid, stat] : all)
    if (!in_tree.count(pid) && !part_of_benchmark(stat)) others[pid] = stat.cpu_ticks();

  const auto cpu = parse_proc_stat_cpu(read_file("/proc/stat"));
  const auto now = std::chrono::steady_clock::now();
  if (!have_first_scan_) {
    others_first_ = others;
    others_first_at_ = now;
    cpu_first_ = cpu;
    have_first_scan_ = true;
  }
  others_last_ = std::move(others);
  others_last_at_ = now;
  cpu_last_ = cpu;
}

void Monitor::loop() {
  const long per_second = std::max<long>(1, 1000 / std::max<long>(1, period_.count()));
  long tick = 0;
  auto next = std::chrono::steady_clock::now();
  while (!stop_) {
    // The whole-system scan is heavier: once a second is enough for the trust figures and for
    // noticing new children of the forwarder.
    if (tick++ % per_second == 0) scan_system();
    if (!roots_.empty()) sample_tree();
    next += period_;
    std::this_thread::sleep_until(next);
  }
  scan_system();
  if (!roots_.empty()) sample_tree();
}

MonitorSummary Monitor::stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  const long hz = ::sysconf(_SC_CLK_TCK);
  MonitorSummary summary = summarize_tree(samples_, hz);
  std::uint64_t others = 0;
  for (const auto& [pid, last] : others_last_) {
    const auto first = others_first_.find(pid);
    // A process born during the window counts from zero: all its CPU is contamination.
    const std::uint64_t before = first == others_first_.end() ? 0 : first->second;
    if (last > before) others += last - before;
  }
  const double wall = seconds(others_last_at_ - others_first_at_);
  if (wall > 0) summary.others_cpu = 100.0 * static_cast<double>(others) / static_cast<double>(hz) / wall;
  if (cpu_first_ && cpu_last_) {
    const CpuTimes& a = *cpu_first_;
    const CpuTimes& b = *cpu_last_;
    if (b.total() > a.total())
      summary.steal_percent =
          100.0 * static_cast<double>(b.steal - a.steal) / static_cast<double>(b.total() - a.total());
    summary.machine_cpu = machine_cpu_percent(a, b, hz, wall, ::sysconf(_SC_NPROCESSORS_ONLN));
  }
  return summary;
}

}  // namespace harness

#pragma once
// Samples, in a background thread, what the system under test costs (CPU% of one core and RSS
// of the process trees of its sampled processes, summed) and whether the measurement can be
// trusted (CPU used by unrelated processes, hypervisor steal time).
#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <thread>
#include <vector>

#include "harness/proc_parse.h"

namespace harness {

struct MonitorSummary {
  double cpu_avg = 0;     // % of one core over the whole window
  double cpu_max = 0;     // highest % over any 1 s window
  double mem_avg_mb = 0;  // RSS, MiB
  double mem_max_mb = 0;
  double others_cpu = 0;     // % of one core used by processes that are not part of the benchmark
  double steal_percent = 0;  // of all CPU time
  // % of one core: the whole machine's busy time over the window, whoever spent it (iperf3 at both
  // ends, the kernel, the system under test). Below cores × 100 the path waited, not computed.
  double machine_cpu = 0;
  int samples = 0;
};

// One observation of the forwarder tree.
struct TreeSample {
  std::chrono::steady_clock::time_point at;
  std::uint64_t ticks = 0;  // utime + stime over the tree
  std::uint64_t rss_kb = 0;
};

// Turns samples into the summary; pure, so it is unit-tested. ticks_per_second: sysconf(_SC_CLK_TCK).
MonitorSummary summarize_tree(const std::vector<TreeSample>& samples, long ticks_per_second);

// The machine's busy time between two readings of /proc/stat `wall_seconds` apart, in % of one
// core, so a 2-core machine reads 200 when both cores were busy throughout; 0 when no time passed.
// Busy is what the `cpus` cores had, less their idle, iowait and the hypervisor's steal: those are
// measured (a tickless kernel adds up each idle stretch), where /proc/stat's user and system come
// from the timer tick, which misses short bursts (a process woken for microseconds at a time
// between ticks: pasta relaying UDP used 11.6 % of a core while they summed to 2.7 %).
double machine_cpu_percent(const CpuTimes& first, const CpuTimes& last, long ticks_per_second, double wall_seconds,
                           long cpus);

// Every process whose parent chain reaches one of `roots` (roots included), from a pid → ppid map.
std::vector<pid_t> descendants(const std::vector<pid_t>& roots, const std::map<pid_t, pid_t>& parent_of);

class Monitor {
 public:
  // No roots (kernel baselines): only the trust figures are sampled.
  explicit Monitor(std::vector<pid_t> roots, std::chrono::milliseconds period = std::chrono::milliseconds(100));
  ~Monitor();
  Monitor(const Monitor&) = delete;
  Monitor& operator=(const Monitor&) = delete;

  void start();
  MonitorSummary stop();
  // Every sample taken, in order (after stop()): the soak reads RSS over time from it.
  const std::vector<TreeSample>& series() const { return samples_; }

 private:
  void loop();
  void sample_tree();
  void scan_system();

  std::vector<pid_t> roots_;
  std::chrono::milliseconds period_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::vector<TreeSample> samples_;
  // Refreshed by the once-a-second system scan (there is no /proc/PID/task/TID/children here).
  std::vector<pid_t> tree_;
  // Trust figures: per-pid ticks of unrelated processes at the first and latest scan.
  std::map<pid_t, std::uint64_t> others_first_, others_last_;
  std::chrono::steady_clock::time_point others_first_at_, others_last_at_;
  std::optional<CpuTimes> cpu_first_, cpu_last_;  // /proc/stat at the first and latest scan
  bool have_first_scan_ = false;
};

}  // namespace harness

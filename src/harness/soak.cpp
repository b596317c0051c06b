#include "harness/soak.h"

#include <cmath>

#include <fmt/format.h>

#include "harness/interrupt.h"
#include "harness/sut_instance.h"

namespace harness {

bool SoakReport::ok() const {
  if (checks.empty()) return false;
  for (const auto& c : checks)
    if (!c.ok) return false;
  return true;
}

std::string SoakReport::text() const {
  std::string out;
  for (const auto& c : checks) out += fmt::format("{} {}\n", c.ok ? "ok  " : "FAIL", c.what);
  for (const auto& i : info) out += "info " + i + "\n";
  return out;
}

int soak_reference_second(int duration_s) { return duration_s >= 120 ? 60 : duration_s / 2; }

SoakReport evaluate_soak(const std::vector<std::uint64_t>& rss, int ref, double max_growth,
                         const std::optional<IperfResult>& iperf, const std::string& iperf_error, int exit_status,
                         const std::string& stats_format, const std::optional<ForwarderStats>& stats,
                         const MonitorSummary& monitor) {
  SoakReport r;
  const auto check = [&](bool ok, std::string what) { r.checks.push_back({ok, std::move(what)}); };
  // RSS: from the reference second to the last sample.
  std::uint64_t peak = 0;
  for (auto kb : rss) peak = std::max(peak, kb);
  if (rss.size() > static_cast<std::size_t>(ref) + 1 && rss[static_cast<std::size_t>(ref)] > 0 && rss.back() > 0) {
    const auto at_ref = rss[static_cast<std::size_t>(ref)];
    const double growth =
        (static_cast<double>(rss.back()) - static_cast<double>(at_ref)) / static_cast<double>(at_ref) * 100.0;
    check(std::abs(growth) <= max_growth,
          fmt::format("RSS at {} s {} kB, at the end {} kB ({:+.2f} %, limit ±{} %), peak {} kB, {} samples", ref,
                      at_ref, rss.back(), growth, max_growth, peak, rss.size()));
    r.figures["rss_growth_percent"] = growth;
    r.figures["rss_kb_at_reference"] = at_ref;
    r.figures["rss_kb_at_end"] = rss.back();
  } else {
    check(false, fmt::format("not enough RSS samples ({} for a reference at {} s)", rss.size(), ref));
  }
  r.figures["rss_kb_by_second"] = rss;
  r.figures["rss_kb_peak"] = peak;
  r.figures["reference_second"] = ref;
  if (iperf) {
    check(true, fmt::format("iperf3: {:.2f} Gbit/s over {:.0f} s, {} retransmits", iperf->gbps, iperf->seconds,
                            iperf->retransmits));
    r.figures["gbps"] = iperf->gbps;
    r.figures["seconds"] = iperf->seconds;
    r.figures["retransmits"] = iperf->retransmits;
  } else {
    check(false, "iperf3 did not complete: " + iperf_error);
  }
  r.info.push_back(fmt::format("CPU {:.0f} % of one core on average, {:.0f} % at most (1 s windows)", monitor.cpu_avg,
                               monitor.cpu_max));
  r.figures["cpu_avg"] = monitor.cpu_avg;
  check(exit_status == 0, fmt::format("exit status {} after SIGINT", exit_status));
  r.figures["exit_status"] = exit_status;
  if (!stats_format.empty()) {
    check(stats && stats->directions.size() == 2, "counters written for both directions");
    if (stats) {
      for (const auto& d : stats->directions) {
        const auto dir = d.from + "→" + d.to;
        r.info.push_back(fmt::format("{}: packets {} written {} bytes {} drops {} reads {} writes {} gso-fallbacks {}",
                                     dir, d.packets, d.written, d.bytes, d.dropped, d.reads, d.writes,
                                     d.gso_fallbacks));
        check(d.dropped == 0, fmt::format("{} drops 0 (counted {})", dir, d.dropped));
        check(d.balanced(),
              fmt::format("{} balance: packets {} == written {} + drops {}", dir, d.packets, d.written, d.dropped));
      }
      r.figures["dropped"] = stats->dropped();
    }
  }
  return r;
}

SoakReport run_soak(const SutSpec& sut_spec, const SoakOptions& options, const std::string& suffix,
                    const std::filesystem::path& log_dir, RunState* state, const std::function<void(int)>& tick) {
  SutInstance sut(sut_spec, suffix, log_dir, state, options.ready_timeout);
  // One sample a second: the figure is RSS over minutes, not CPU bursts.
  Monitor monitor(sut.sampled_pids(), std::chrono::milliseconds(1000));
  IperfOptions io = options.iperf;
  io.duration_s = options.duration_s;
  Iperf iperf({sut.topology().client_ns(), sut.topology().server_ns(), sut.topology().server_address()}, io, log_dir,
              state);
  std::optional<IperfResult> result;
  std::string iperf_error;
  try {
    result = iperf.run(
        [&](int left) {
          sut.check_running();
          if (tick) tick(left);
        },
        [&] { monitor.start(); });
  } catch (const Interrupted&) {
    throw;
  } catch (const std::runtime_error& e) {
    iperf_error = e.what();  // judged below with everything else
  }
  const auto summary = monitor.stop();
  std::vector<std::uint64_t> rss;
  if (!monitor.series().empty()) {
    const auto start = monitor.series().front().at;
    for (const auto& s : monitor.series()) {
      const auto second = static_cast<std::size_t>(std::llround(std::chrono::duration<double>(s.at - start).count()));
      if (rss.size() <= second) rss.resize(second + 1, rss.empty() ? 0 : rss.back());
      rss[second] = s.rss_kb;
    }
  }
  const auto main_process = sut_spec.processes.empty() ? std::string() : sut_spec.processes.front().name;
  const auto statuses = sut.stop();
  const int exit_status = main_process.empty() ? 0 : statuses.at(main_process);
  std::optional<ForwarderStats> stats;
  if (auto j = sut.stats(); j && sut_spec.stats_format == "tunfwd-stats/1") stats = parse_forwarder_stats(*j);
  auto report = evaluate_soak(rss, soak_reference_second(options.duration_s), options.max_rss_growth_percent, result,
                              iperf_error, exit_status, sut_spec.stats_format, stats, summary);
  report.info.push_back("logs: " + log_dir.string());
  return report;
}

}  // namespace harness

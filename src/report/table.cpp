#include "report/table.h"

#include <fmt/format.h>

#include "report/side_by_side.h"
#include "report/summary.h"

namespace report {
namespace {

std::string or_dash(bool present, const std::string& text) { return present ? text : "–"; }

}  // namespace

std::string markdown_table(const harness::RunResult& run) {
  const bool udp = run.settings.value("udp", false);
  std::string out = fmt::format(
      "| # | Mode | Offload | Channel | Gbps | min–max | ratio | {} | CPU avg | CPU max | Mem avg | Mem max | CPU/Gbps "
      "| Machine CPU | Machine CPU/Gbps | n |\n"
      "|---|------|---------|---------|------|---------|-------|------|---------|---------|---------|---------|--------"
      "--|-------------|------------------|---|\n",
      udp ? "Loss %" : "Retr");
  int index = 0;
  for (const auto& row : run.rows) {
    const RowSummary s = summarize(row);
    ++index;
    if (s.ok == 0) {
      out += fmt::format("| {} | {} | {} | {} | FAILED | | | | | | | | | | | 0/{} |\n", index, s.label, s.offload,
                         s.channel, s.total);
      continue;
    }
    const bool f = s.forwarder;
    out += fmt::format(
        "| {} | {} | {} | {} | {} | {}–{} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {}/{}{} |\n", index, s.label,
        s.offload, s.channel, number(s.gbps), number(s.gbps_min), number(s.gbps_max), s.ratio ? number(*s.ratio) : "–",
        s.loss_percent ? number(*s.loss_percent) : fmt::format("{:.0f}", s.retransmits), or_dash(f, number(s.cpu_avg)),
        or_dash(f, number(s.cpu_max)), or_dash(f, number(s.mem_avg)), or_dash(f, number(s.mem_max)),
        s.cpu_per_gbps ? number(*s.cpu_per_gbps) : "–", s.machine_cpu ? number(*s.machine_cpu) : "–",
        s.machine_cpu_per_gbps ? number(*s.machine_cpu_per_gbps) : "–", s.ok, s.total,
        s.untrusted ? fmt::format(" ({} untrusted)", s.untrusted) : "");
  }
  return out;
}

std::string markdown_report(const harness::RunResult& run, const std::vector<FlameGraphLink>& flame_graphs) {
  const auto& m = run.machine;
  const auto& st = run.settings;
  std::string out = "# tunbench run\n\n";
  out += fmt::format("Machine: {}, {} cores, {}; {}; tunbench {}.\n\n", m.value("cpu_model", "?"), m.value("cores", 0),
                     m.value("kernel", "?"), m.value("iperf3_version", "?"), m.value("tunbench_version", "?"));
  // Runs saved before rows were rotated have no row_order: their passes ran in the given order.
  out += fmt::format("Settings: {} s per sample, {} pass(es) interleaved ({} row order), {} stream(s), {}{}.\n\n",
                     st.value("duration_s", 0), st.value("repeat", 0), st.value("row_order", std::string("fixed")),
                     st.value("parallel", 1), st.value("udp", false) ? "UDP" : "TCP",
                     st.value("reverse", false) ? ", reverse" : "");
  out += markdown_table(run);
  out +=
      "\nGbps (what the receiver got: for UDP the offered rate less the loss), ratio (÷ the row's kernel baseline of "
      "the same pass, the veth pair unless said otherwise), Retr and "
      "CPU/memory are medians over the successful samples; CPU is the system under test's process trees (100 % = one "
      "core), memory their RSS in MiB. Machine CPU is every core's busy time over the sample, whoever spent it "
      "(iperf3 at both ends, the kernel, the system under test; not idle, iowait or steal), also 100 % = one core: "
      "below the machine's cores × 100 the path waited rather than ran out of CPU, and Machine CPU/Gbps is what the "
      "whole path costs, comparable across systems that move kernel work into or out of their own processes.\n";
  out += markdown_side_by_side(run);
  std::string problems;
  for (const auto& row : run.rows)
    for (const auto& s : row.samples) {
      if (!s.ok)
        problems += fmt::format("- {} pass {}: FAILED: {}\n", row.label, s.pass, s.error);
      else if (!s.untrusted.empty())
        problems += fmt::format("- {} pass {}: untrusted: {}\n", row.label, s.pass, s.untrusted);
    }
  if (!problems.empty()) out += "\n## Failures and warnings\n\n" + problems;
  if (!flame_graphs.empty()) {
    out +=
        "\n## Flame graphs\n\nWhere each row's sampled processes spent their CPU (`perf record -g`, every thread, "
        "kernel frames marked `_[k]`), folded over all its samples:\n\n";
    for (const auto& f : flame_graphs) out += fmt::format("- {}: [{}]({})\n", f.row, f.file, f.file);
  }
  return out;
}

std::string sample_line(const harness::RowResult& row, const harness::Sample& s) {
  if (!s.ok) return fmt::format("{:<28} pass {}: FAILED: {}", row.label, s.pass, s.error);
  std::string line = fmt::format("{:<28} pass {}: {:>6} Gbps", row.label, s.pass, number(s.iperf.gbps));
  if (s.ratio > 0) line += fmt::format("  ratio {:>5}", number(s.ratio));
  line += s.iperf.udp
              ? fmt::format("  loss {}% of {} offered", number(s.iperf.loss_percent), number(s.iperf.offered_gbps))
              : fmt::format("  retr {:>6}", s.iperf.retransmits);
  if (row.has_forwarder())
    line += fmt::format("  CPU {:>5}% (max {:>5}%)  RSS {:>5} MiB", number(s.monitor.cpu_avg),
                        number(s.monitor.cpu_max), number(s.monitor.mem_max_mb));
  if (s.monitor.machine_cpu > 0) line += fmt::format("  machine {:>4}%", number(s.monitor.machine_cpu));
  if (!s.untrusted.empty()) line += "  [untrusted: " + s.untrusted + "]";
  return line;
}

}  // namespace report

#include "report/summary.h"

#include <cmath>

#include <fmt/format.h>

#include "harness/statistics.h"

namespace report {

std::string number(double value) {
  if (std::isnan(value)) return "–";
  const double a = std::abs(value);
  if (a >= 100) return fmt::format("{:.0f}", value);
  if (a >= 10) return fmt::format("{:.1f}", value);
  if (a >= 1) return fmt::format("{:.2f}", value);
  if (a == 0) return "0";
  return fmt::format("{:.3f}", value);
}

RowSummary summarize(const harness::RowResult& row) {
  using harness::median;
  RowSummary s;
  s.label = row.label;
  s.offload = row.trait_yes_no("offload");
  s.channel = row.trait_yes_no("channel");
  if (s.offload.empty()) s.offload = "–";
  if (s.channel.empty()) s.channel = "–";
  s.total = row.samples.size();
  s.forwarder = row.has_forwarder();
  const auto ok = row.ok_samples();
  s.ok = ok.size();
  for (const auto& sample : row.samples) {
    if (!sample.ok && s.first_error.empty()) s.first_error = sample.error;
    if (sample.ok && !sample.untrusted.empty()) ++s.untrusted;
  }
  if (ok.empty()) return s;
  const auto gbps = row.gbps();
  s.gbps = median(gbps);
  s.gbps_min = harness::minimum(gbps);
  s.gbps_max = harness::maximum(gbps);
  if (const auto ratios = row.ratios(); !ratios.empty()) s.ratio = median(ratios);
  s.retransmits = median(row.retransmits());
  if (ok.front()->iperf.udp) {
    std::vector<double> loss;
    loss.reserve(ok.size());
    for (const auto* sample : ok) loss.push_back(sample->iperf.loss_percent);
    s.loss_percent = median(loss);
  }
  s.cpu_avg = median(row.cpu_avg());
  s.cpu_max = median(row.cpu_max());
  s.mem_avg = median(row.mem_avg());
  s.mem_max = median(row.mem_max());
  if (const auto per = row.cpu_per_gbps(); s.forwarder && !per.empty()) s.cpu_per_gbps = median(per);
  if (const auto busy = row.machine_cpu(); !busy.empty()) s.machine_cpu = median(busy);
  if (const auto per = row.machine_cpu_per_gbps(); !per.empty()) s.machine_cpu_per_gbps = median(per);
  return s;
}

}  // namespace report

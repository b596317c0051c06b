#include "harness/result.h"

#include <map>
#include <stdexcept>

namespace harness {

std::string to_string(RowKind kind) {
  switch (kind) {
    case RowKind::tunfwd: return "tunfwd";
    case RowKind::forwarder: return "forwarder";
    case RowKind::veth: return "veth";
    case RowKind::loopback: return "loopback";
  }
  return "?";
}

RowKind row_kind_from_string(const std::string& text) {
  static const std::map<std::string, RowKind> kinds{{"tunfwd", RowKind::tunfwd}, {"forwarder", RowKind::forwarder},
                                                    {"veth", RowKind::veth}, {"loopback", RowKind::loopback}};
  const auto it = kinds.find(text);
  if (it == kinds.end()) throw std::runtime_error("unknown row kind: " + text);
  return it->second;
}

void classify_mode(const std::string& mode, RowResult& row) {
  // The passthrough modes forward GSO super-packets whole: offload without split/coalesce.
  const bool offload = mode.find("gso") != std::string::npos || mode.starts_with("passthrough");
  row.offload = offload ? "yes" : "no";
  row.channel = mode.find("channel") != std::string::npos || mode.find("framed") != std::string::npos ? "yes" : "no";
}

std::vector<const Sample*> RowResult::ok_samples() const {
  std::vector<const Sample*> ok;
  for (const auto& s : samples)
    if (s.ok) ok.push_back(&s);
  return ok;
}

namespace {
template <typename F>
std::vector<double> collect(const RowResult& row, F&& f) {
  std::vector<double> values;
  for (const Sample* s : row.ok_samples()) values.push_back(f(*s));
  return values;
}
}  // namespace

std::vector<double> RowResult::gbps() const { return collect(*this, [](const Sample& s) { return s.iperf.gbps; }); }
std::vector<double> RowResult::retransmits() const {
  return collect(*this, [](const Sample& s) { return static_cast<double>(s.iperf.retransmits); });
}
std::vector<double> RowResult::cpu_avg() const { return collect(*this, [](const Sample& s) { return s.monitor.cpu_avg; }); }
std::vector<double> RowResult::cpu_max() const { return collect(*this, [](const Sample& s) { return s.monitor.cpu_max; }); }
std::vector<double> RowResult::mem_avg() const { return collect(*this, [](const Sample& s) { return s.monitor.mem_avg_mb; }); }
std::vector<double> RowResult::mem_max() const { return collect(*this, [](const Sample& s) { return s.monitor.mem_max_mb; }); }

std::vector<double> RowResult::ratios() const {
  std::vector<double> values;
  for (const Sample* s : ok_samples())
    if (s->ratio > 0) values.push_back(s->ratio);
  return values;
}

std::vector<double> RowResult::cpu_per_gbps() const {
  std::vector<double> values;
  for (const Sample* s : ok_samples())
    if (s->iperf.gbps > 0) values.push_back(s->monitor.cpu_avg / s->iperf.gbps);
  return values;
}

const RowResult* RunResult::find(const std::string& label) const {
  for (const auto& row : rows)
    if (row.label == label) return &row;
  return nullptr;
}

void RunResult::compute_ratios() {
  std::map<int, double> veth_by_pass;
  for (const auto& row : rows)
    if (row.kind == RowKind::veth)
      for (const auto& s : row.samples)
        if (s.ok && s.iperf.gbps > 0) veth_by_pass[s.pass] = s.iperf.gbps;
  for (auto& row : rows)
    for (auto& s : row.samples) {
      const auto it = veth_by_pass.find(s.pass);
      s.ratio = s.ok && it != veth_by_pass.end() ? s.iperf.gbps / it->second : 0.0;
    }
}

void to_json(nlohmann::json& j, const Sample& s) {
  j = {{"pass", s.pass},
       {"ok", s.ok},
       {"error", s.error},
       {"gbps", s.iperf.gbps},
       {"retransmits", s.iperf.retransmits},
       {"udp", s.iperf.udp},
       {"loss_percent", s.iperf.loss_percent},
       {"delivered_gbps", s.iperf.delivered_gbps},
       {"seconds", s.iperf.seconds},
       {"cpu_avg", s.monitor.cpu_avg},
       {"cpu_max", s.monitor.cpu_max},
       {"mem_avg_mb", s.monitor.mem_avg_mb},
       {"mem_max_mb", s.monitor.mem_max_mb},
       {"others_cpu", s.monitor.others_cpu},
       {"steal_percent", s.monitor.steal_percent},
       {"monitor_samples", s.monitor.samples},
       {"ratio", s.ratio},
       {"untrusted", s.untrusted}};
}

void from_json(const nlohmann::json& j, Sample& s) {
  s.pass = j.value("pass", 0);
  s.ok = j.value("ok", false);
  s.error = j.value("error", "");
  s.iperf.gbps = j.value("gbps", 0.0);
  s.iperf.retransmits = j.value("retransmits", std::int64_t{0});
  s.iperf.udp = j.value("udp", false);
  s.iperf.loss_percent = j.value("loss_percent", 0.0);
  s.iperf.delivered_gbps = j.value("delivered_gbps", 0.0);
  s.iperf.seconds = j.value("seconds", 0.0);
  s.monitor.cpu_avg = j.value("cpu_avg", 0.0);
  s.monitor.cpu_max = j.value("cpu_max", 0.0);
  s.monitor.mem_avg_mb = j.value("mem_avg_mb", 0.0);
  s.monitor.mem_max_mb = j.value("mem_max_mb", 0.0);
  s.monitor.others_cpu = j.value("others_cpu", 0.0);
  s.monitor.steal_percent = j.value("steal_percent", 0.0);
  s.monitor.samples = j.value("monitor_samples", 0);
  s.ratio = j.value("ratio", 0.0);
  s.untrusted = j.value("untrusted", "");
}

void to_json(nlohmann::json& j, const RowResult& r) {
  j = {{"label", r.label}, {"kind", to_string(r.kind)}, {"command", r.command},
       {"offload", r.offload}, {"channel", r.channel}, {"samples", r.samples}};
}

void from_json(const nlohmann::json& j, RowResult& r) {
  r.label = j.at("label").get<std::string>();
  r.kind = row_kind_from_string(j.value("kind", "tunfwd"));
  r.command = j.value("command", "");
  r.offload = j.value("offload", "");
  r.channel = j.value("channel", "");
  // Our own modes: derived from the name, so files written by older versions read right too.
  if (r.kind == RowKind::tunfwd) classify_mode(r.label, r);
  r.samples = j.value("samples", std::vector<Sample>{});
}

void to_json(nlohmann::json& j, const RunResult& r) {
  j = {{"format", "tunbench-run/1"}, {"machine", r.machine}, {"settings", r.settings}, {"rows", r.rows}};
}

void from_json(const nlohmann::json& j, RunResult& r) {
  if (j.value("format", "") != "tunbench-run/1")
    throw std::runtime_error("not a tunbench run file (format tunbench-run/1 expected)");
  r.machine = j.value("machine", nlohmann::json::object());
  r.settings = j.value("settings", nlohmann::json::object());
  r.rows = j.value("rows", std::vector<RowResult>{});
}

}  // namespace harness

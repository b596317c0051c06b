#include "harness/result.h"

#include <map>
#include <stdexcept>

#include "harness/label.h"

namespace harness {

std::string RowResult::trait_yes_no(const char* name) const {
  const auto it = traits.find(name);
  if (it == traits.end() || !it->is_boolean()) return "";
  return it->get<bool>() ? "yes" : "no";
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

std::vector<double> RowResult::gbps() const {
  return collect(*this, [](const Sample& s) { return s.iperf.gbps; });
}
std::vector<double> RowResult::retransmits() const {
  return collect(*this, [](const Sample& s) { return static_cast<double>(s.iperf.retransmits); });
}
std::vector<double> RowResult::cpu_avg() const {
  return collect(*this, [](const Sample& s) { return s.monitor.cpu_avg; });
}
std::vector<double> RowResult::cpu_max() const {
  return collect(*this, [](const Sample& s) { return s.monitor.cpu_max; });
}
std::vector<double> RowResult::mem_avg() const {
  return collect(*this, [](const Sample& s) { return s.monitor.mem_avg_mb; });
}
std::vector<double> RowResult::mem_max() const {
  return collect(*this, [](const Sample& s) { return s.monitor.mem_max_mb; });
}

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

std::vector<double> RowResult::machine_cpu() const {
  std::vector<double> values;
  for (const Sample* s : ok_samples())
    if (s->monitor.machine_cpu > 0) values.push_back(s->monitor.machine_cpu);
  return values;
}

std::vector<double> RowResult::machine_cpu_per_gbps() const {
  std::vector<double> values;
  for (const Sample* s : ok_samples())
    if (s->monitor.machine_cpu > 0 && s->iperf.gbps > 0) values.push_back(s->monitor.machine_cpu / s->iperf.gbps);
  return values;
}

const RowResult* RunResult::find(const std::string& label) const {
  for (const auto& row : rows)
    if (row.label == label) return &row;
  return nullptr;
}

const RowResult* RunResult::find_kind(const std::string& kind, const std::string& direction) const {
  for (const auto& row : rows)
    if (row.kind == kind && row.direction == direction) return &row;
  return nullptr;
}

void RunResult::compute_ratios() {
  // Per (kind, direction) that some row compares with: its Gbps in each pass.
  std::map<std::pair<std::string, std::string>, std::map<int, double>> baselines;
  for (const auto& row : rows) {
    const auto key = std::pair{row.compare_with, row.direction};
    if (baselines.count(key)) continue;
    auto& by_pass = baselines[key];
    if (const RowResult* base = find_kind(row.compare_with, row.direction))
      for (const auto& s : base->samples)
        if (s.ok && s.iperf.gbps > 0) by_pass[s.pass] = s.iperf.gbps;
  }
  for (auto& row : rows) {
    const auto& by_pass = baselines[{row.compare_with, row.direction}];
    for (auto& s : row.samples) {
      const auto it = by_pass.find(s.pass);
      s.ratio = s.ok && it != by_pass.end() ? s.iperf.gbps / it->second : 0.0;
    }
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
       {"offered_gbps", s.iperf.offered_gbps},
       {"delivered_gbps", s.iperf.delivered_gbps},
       {"seconds", s.iperf.seconds},
       {"cpu_avg", s.monitor.cpu_avg},
       {"cpu_max", s.monitor.cpu_max},
       {"mem_avg_mb", s.monitor.mem_avg_mb},
       {"mem_max_mb", s.monitor.mem_max_mb},
       {"others_cpu", s.monitor.others_cpu},
       {"steal_percent", s.monitor.steal_percent},
       {"machine_cpu", s.monitor.machine_cpu},
       {"monitor_samples", s.monitor.samples},
       {"ratio", s.ratio},
       {"untrusted", s.untrusted}};
  if (!s.stats.is_null()) j["stats"] = s.stats;
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
  s.iperf.offered_gbps = j.value("offered_gbps", s.iperf.gbps);
  // A UDP sample saved before offered_gbps existed has the sender's rate as gbps: what arrived is
  // its delivered_gbps.
  if (s.iperf.udp && !j.contains("offered_gbps")) s.iperf.gbps = s.iperf.delivered_gbps;
  s.iperf.seconds = j.value("seconds", 0.0);
  s.monitor.cpu_avg = j.value("cpu_avg", 0.0);
  s.monitor.cpu_max = j.value("cpu_max", 0.0);
  s.monitor.mem_avg_mb = j.value("mem_avg_mb", 0.0);
  s.monitor.mem_max_mb = j.value("mem_max_mb", 0.0);
  s.monitor.others_cpu = j.value("others_cpu", 0.0);
  s.monitor.steal_percent = j.value("steal_percent", 0.0);
  s.monitor.machine_cpu = j.value("machine_cpu", 0.0);  // 0 in runs saved before it was sampled
  s.monitor.samples = j.value("monitor_samples", 0);
  s.ratio = j.value("ratio", 0.0);
  s.untrusted = j.value("untrusted", "");
  s.stats = j.value("stats", nlohmann::json());
}

void to_json(nlohmann::json& j, const RowResult& r) {
  j = {{"label", r.label},
       {"kind", r.kind},
       {"implementation", r.implementation},
       {"mode", r.mode},
       {"compare_with", r.compare_with},
       {"direction", r.direction},
       {"sampled", r.sampled},
       {"command", r.command},
       {"traits", r.traits},
       {"samples", r.samples}};
}

namespace {

// Files of format tunbench-run/1 named rows by a closed set of kinds and kept two traits as
// "yes"/"no" strings; they are read into today's fields so old runs still report and compare.
void from_json_v1(const nlohmann::json& j, RowResult& r) {
  const std::string kind = j.value("kind", "tunfwd");
  static const std::map<std::string, std::string> kinds{
      {"tunfwd", "forwarder"}, {"forwarder", "forwarder"}, {"veth", kKernelVeth}, {"loopback", kKernelLoopback}};
  const auto it = kinds.find(kind);
  if (it == kinds.end()) throw std::runtime_error("unknown row kind: " + kind);
  r.kind = it->second;
  r.sampled = r.kind == "forwarder";
  r.traits = nlohmann::json::object();
  if (kind == "tunfwd") r.traits["implementation"] = "tunfwd";  // what identity_of_older_row reads
  for (const char* trait : {"offload", "channel"}) {
    const std::string v = j.value(trait, "");
    if (v == "yes" || v == "no") r.traits[trait] = v == "yes";
  }
}

// Rows of files written before rows named their implementation: the kernel baselines by their
// kind; tunfwd modes and stacks by the trait "implementation" they carried then ("tunfwd", whose
// mode is the registry's name, and "tunstack" are ours); anything else by its label without the
// " up"/" down" of a row measured both ways (label.h; a label that breaks the rule is its own
// implementation, as a file already written cannot be refused for it).
void identity_of_older_row(RowResult& r) {
  // Some files hold `"traits": null` for the baselines.
  const std::string said = r.traits.is_object() ? r.traits.value("implementation", "") : "";
  if (r.traits.is_object()) r.traits.erase("implementation");  // the row's fields say it now
  if (r.kind.rfind("kernel-", 0) == 0) {
    r.implementation = kKernelImplementation;
    return;
  }
  if (said == "tunfwd") {
    r.implementation = kOurImplementation;
    r.mode = r.traits.value("name", r.label);
    return;
  }
  if (said == "tunstack") {
    r.implementation = kOurImplementation;
    return;
  }
  if (!said.empty()) {
    r.implementation = said;
    return;
  }
  std::string label = r.label;
  if (const auto suffix = " " + r.direction; label.size() > suffix.size() && label.ends_with(suffix))
    label.resize(label.size() - suffix.size());
  try {
    const auto i = implementation_from_label(label);
    r.implementation = i.name;
    r.mode = i.mode;
  } catch (const std::invalid_argument&) {
    r.implementation = label;
  }
}

}  // namespace

void from_json(const nlohmann::json& j, RowResult& r) {
  r.label = j.at("label").get<std::string>();
  r.command = j.value("command", "");
  if (j.contains("traits")) {
    r.kind = j.value("kind", "");
    if (r.kind.empty()) throw std::runtime_error("row " + r.label + ": no kind");
    r.compare_with = j.value("compare_with", std::string(kKernelVeth));
    r.direction = j.value("direction", "up");
    r.sampled = j.value("sampled", false);
    r.traits = j.at("traits");
  } else {
    from_json_v1(j, r);
  }
  r.implementation = j.value("implementation", "");
  r.mode = j.value("mode", "");
  if (r.implementation.empty()) identity_of_older_row(r);
  r.samples = j.value("samples", std::vector<Sample>{});
}

void to_json(nlohmann::json& j, const RunResult& r) {
  j = {{"format", "tunbench-run/2"}, {"machine", r.machine}, {"settings", r.settings}, {"rows", r.rows}};
}

void from_json(const nlohmann::json& j, RunResult& r) {
  const std::string format = j.value("format", "");
  if (format != "tunbench-run/1" && format != "tunbench-run/2")
    throw std::runtime_error("not a tunbench run file (format tunbench-run/2 or /1 expected)");
  r.machine = j.value("machine", nlohmann::json::object());
  r.settings = j.value("settings", nlohmann::json::object());
  r.rows = j.value("rows", std::vector<RowResult>{});
}

}  // namespace harness

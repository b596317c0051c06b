#include "harness/thresholds.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>

#include "harness/statistics.h"

namespace harness {
namespace fs = std::filesystem;

namespace {

std::optional<double> optional_number(const nlohmann::json& row, const char* key) {
  if (!row.contains(key) || row.at(key).is_null()) return std::nullopt;
  if (!row.at(key).is_number()) throw std::runtime_error(std::string("'") + key + "' must be a number");
  return row.at(key).get<double>();
}

// Per (pass, direction), the Gbps of the first successful sample of the baseline row of `kind`: a
// row measured downstream is divided by the baseline measured downstream in the same pass, as
// RunResult::compute_ratios does (and as the profiles were derived).
std::map<std::pair<int, std::string>, double> baseline_by_pass(const RunResult& run, const std::string& kind) {
  std::map<std::pair<int, std::string>, double> by_pass;
  for (const auto& row : run.rows)
    if (row.kind == kind)
      for (const auto& s : row.samples)
        if (s.ok && s.iperf.gbps > 0) by_pass.try_emplace({s.pass, row.direction}, s.iperf.gbps);
  return by_pass;
}

}  // namespace

const RowThresholds* PerfProfile::find(const std::string& label) const {
  for (const auto& row : rows)
    if (row.label == label) return &row;
  return nullptr;
}

bool PerfProfile::matches_cpu(const std::string& cpu_model) const {
  return std::any_of(cpu_model_match.begin(), cpu_model_match.end(), [&](const std::string& pattern) {
    return !pattern.empty() && cpu_model.find(pattern) != std::string::npos;
  });
}

PerfProfile parse_profile(const nlohmann::json& j, const std::string& name) {
  if (j.value("format", "") != "tunbench-thresholds/1")
    throw std::runtime_error("not a thresholds file (format tunbench-thresholds/1 expected)");
  PerfProfile p;
  p.name = name.empty() ? j.value("name", "") : name;
  p.description = j.value("description", "");
  p.cpu_model_match = j.value("cpu_model_match", std::vector<std::string>{});
  p.fallback = j.value("fallback", false);
  p.ratio_to = j.value("ratio_to", "veth");
  if (p.ratio_to != "veth" && p.ratio_to != "loopback")
    throw std::runtime_error("ratio_to must be \"veth\" or \"loopback\", got \"" + p.ratio_to + "\"");
  const auto& rows = j.at("rows");
  if (!rows.is_object()) throw std::runtime_error("'rows' must be an object keyed by row label");
  for (const auto& [label, row] : rows.items()) {
    RowThresholds t;
    t.label = label;
    try {
      t.min_gbps = optional_number(row, "min_gbps");
      t.min_ratio = optional_number(row, "min_ratio");
      t.max_retransmits = optional_number(row, "max_retransmits");
      t.max_cpu_avg = optional_number(row, "max_cpu_avg");
      t.max_mem_max_mb = optional_number(row, "max_mem_max_mb");
      t.max_cpu_per_gbps = optional_number(row, "max_cpu_per_gbps");
    } catch (const std::exception& e) {
      throw std::runtime_error("row \"" + label + "\": " + e.what());
    }
    p.rows.push_back(std::move(t));
  }
  return p;
}

PerfProfile load_profile(const fs::path& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read thresholds file " + path.string());
  try {
    auto p = parse_profile(nlohmann::json::parse(in), path.stem().string());
    p.path = path;
    return p;
  } catch (const std::exception& e) {
    throw std::runtime_error(path.string() + ": " + e.what());
  }
}

std::vector<PerfProfile> load_profiles(const fs::path& dir) {
  std::vector<fs::path> files;
  if (!fs::is_directory(dir)) return {};  // e.g. no local/ before the first calibration
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.is_regular_file() && entry.path().extension() == ".json") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  std::vector<PerfProfile> profiles;
  profiles.reserve(files.size());
  for (const auto& f : files) profiles.push_back(load_profile(f));
  return profiles;
}

fs::path local_profile_dir(const fs::path& dir) { return dir / "local"; }

std::optional<ProfileChoice> choose_profile(const fs::path& dir, const std::string& requested,
                                            const std::string& cpu_model) {
  const fs::path local = local_profile_dir(dir);
  if (requested == "fallback") {
    for (const auto& p : load_profiles(dir))
      if (p.fallback) {
        const bool here = p.matches_cpu(cpu_model);
        return ProfileChoice{p,
                             "requested by TUNBENCH_PROFILE=fallback" +
                                 std::string(here ? "" : " on a CPU it was not measured on (\"" + cpu_model + "\")"),
                             !here};
      }
    throw std::runtime_error("TUNBENCH_PROFILE=fallback: no profile in " + dir.string() + " is marked \"fallback\"");
  }
  if (!requested.empty()) {
    for (const fs::path& candidate : {fs::path(requested), local / requested, local / (requested + ".json"),
                                      dir / requested, dir / (requested + ".json")})
      if (fs::is_regular_file(candidate))
        return ProfileChoice{load_profile(candidate), "requested by TUNBENCH_PROFILE=" + requested, false};
    throw std::runtime_error("TUNBENCH_PROFILE=" + requested + ": no such file (nor in " + local.string() + " or " +
                             dir.string() + ")");
  }
  for (const auto& p : load_profiles(local))
    if (p.matches_cpu(cpu_model))
      return ProfileChoice{p,
                           "this machine's calibrated profile (local/" + p.path.filename().string() +
                               "): CPU model \"" + cpu_model + "\" matches",
                           false};
  for (const auto& p : load_profiles(dir))
    if (p.matches_cpu(cpu_model)) return ProfileChoice{p, "CPU model \"" + cpu_model + "\" matches", false};
  return std::nullopt;
}

std::string no_profile_message(const fs::path& dir, const std::string& cpu_model) {
  return fmt::format(
      "no thresholds profile for this machine: no profile in {} or {} has a cpu_model_match that matches CPU "
      "model \"{}\". Ratios to the kernel baselines do not carry between machines, so this is skipped, not "
      "judged against another machine's floors.\n"
      "To adopt this machine: from a known-good build, on a quiet machine, run as root\n"
      "    tunbench calibrate          (build/release/src/app/tunbench; about 15 minutes on 2 cores)\n"
      "which measures it and writes {}/HOSTNAME.json; then run the perf tests again.\n"
      "Or ask for a profile explicitly: TUNBENCH_PROFILE=fallback (the development machine's, ratios only) "
      "or TUNBENCH_PROFILE=NAME|PATH.",
      local_profile_dir(dir).string(), dir.string(), cpu_model, local_profile_dir(dir).string());
}

bool CheckResult::ok() const {
  return std::all_of(lines.begin(), lines.end(), [](const CheckLine& l) { return l.ok; });
}

namespace {
std::string describe(const CheckLine& l) {
  if (!l.note.empty()) return fmt::format("{}: {}", l.label, l.note);
  return fmt::format("{}: {} measured {:.4g} {} {} {:.4g}", l.label, l.metric, l.measured, l.ok ? "within" : "violates",
                     l.minimum ? "minimum" : "maximum", l.limit);
}
}  // namespace

std::string CheckResult::failures() const {
  std::string text;
  for (const auto& l : lines)
    if (!l.ok) text += describe(l) + "\n";
  return text;
}

std::string CheckResult::table() const {
  std::string text = "| row | metric | measured (median) | limit | ok |\n|---|---|---|---|---|\n";
  for (const auto& l : lines) {
    if (!l.note.empty()) {
      text += fmt::format("| {} | {} | – | – | {} ({}) |\n", l.label, l.metric, l.ok ? "yes" : "**NO**", l.note);
      continue;
    }
    text += fmt::format("| {} | {} | {:.4g} | {} {:.4g} | {} |\n", l.label, l.metric, l.measured, l.minimum ? "≥" : "≤",
                        l.limit, l.ok ? "yes" : "**NO**");
  }
  return text;
}

CheckResult check_profile(const RunResult& run, const PerfProfile& profile, const CheckOptions& options) {
  CheckResult result;
  const auto base = baseline_by_pass(run, profile.ratio_to == "loopback" ? kKernelLoopback : kKernelVeth);
  for (const auto& t : profile.rows) {
    const RowResult* row = run.find(t.label);
    if (!row) {
      if (options.require_all_rows)
        result.lines.push_back({t.label, "row", 0, 0, true, false, "row missing from the run"});
      continue;
    }
    if (row->ok_samples().empty()) {
      result.lines.push_back({t.label, "row", 0, 0, true, false, "no successful sample"});
      continue;
    }
    auto add = [&](const std::string& metric, const std::optional<double>& limit, const std::vector<double>& values,
                   bool minimum) {
      if (!limit) return;
      if (values.empty()) {
        result.lines.push_back({t.label, metric, 0, *limit, minimum, false, metric + ": no value to compare"});
        return;
      }
      const double m = median(values);
      const bool ok = minimum ? m >= *limit : m <= *limit;
      result.lines.push_back({t.label, metric, m, *limit, minimum, ok, ""});
    };
    std::vector<double> ratios;
    for (const Sample* s : row->ok_samples()) {
      const auto it = base.find({s->pass, row->direction});
      if (it != base.end()) ratios.push_back(s->iperf.gbps / it->second);
    }
    add("ratio to " + profile.ratio_to, t.min_ratio, ratios, true);
    if (options.ratios_only) continue;
    add("Gbps", t.min_gbps, row->gbps(), true);
    add("retransmits", t.max_retransmits, row->retransmits(), false);
    if (row->has_forwarder()) {
      add("CPU avg %", t.max_cpu_avg, row->cpu_avg(), false);
      add("RSS max MB", t.max_mem_max_mb, row->mem_max(), false);
      add("CPU/Gbps", t.max_cpu_per_gbps, row->cpu_per_gbps(), false);
    }
  }
  for (const auto& row : run.rows)
    if (!profile.find(row.label)) result.unchecked_rows.push_back(row.label);
  return result;
}

}  // namespace harness

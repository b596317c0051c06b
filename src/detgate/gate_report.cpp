#include "detgate/gate_report.h"

#include <map>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace detgate {

namespace {

const RowRun* find(const Run& run, const std::string& label) {
  const auto it = run.rows.find(label);
  return it == run.rows.end() ? nullptr : &it->second;
}

double per_kseg(std::uint64_t v, std::uint64_t segments) {
  return segments == 0 ? 0.0 : 1000.0 * static_cast<double>(v) / static_cast<double>(segments);
}

std::string calls(const std::optional<RowRun>& r) {
  if (!r) return "–";
  std::string s = fmt::format("{:.0f} / {:.0f} / {:.0f}", per_kseg(r->reads, r->segments),
                              per_kseg(r->writes, r->segments), per_kseg(r->gso_writes, r->segments));
  // tunstack's rows: its kernel socket calls are system calls too.
  if (r->socket_calls != 0) s += fmt::format(" + {:.0f} socket calls", per_kseg(r->socket_calls, r->segments));
  return s;
}

std::string ir_per_kb(const std::optional<RowRun>& r) {
  if (!r || !r->ir || r->payload_bytes == 0) return "–";
  return fmt::format("{:.0f}", static_cast<double>(*r->ir) / (static_cast<double>(r->payload_bytes) / 1024.0));
}

std::string verdict_cell(const RowComparison& c) {
  std::string v = to_string(c.verdict);
  if (c.verdict == Verdict::kUnstable)
    v += fmt::format(" (runs ±{:.2f} % / ±{:.2f} %)", c.base_spread_pct, c.head_spread_pct);
  if (c.device_calls_changed) v += " · **device calls changed: run the iperf3 gate**";
  if (c.device_calls_unstable) v += " · device calls vary between runs";
  return v;
}

// What instruction counts under valgrind cannot show; stated in every report.
constexpr const char* kLimits =
    "**What this gate cannot see.** It counts the user-space instructions the forwarding code executes over "
    "in-memory replay devices under valgrind (callgrind). It does not see system calls and the kernel's work "
    "(TUN reads and writes, copies across the user/kernel boundary: device calls per segment stand in for them, "
    "and any change there is flagged for the iperf3 gate), lock contention and waiting between threads (valgrind "
    "runs one thread at a time; the replay devices hold the blocking channel modes to a fixed reader-then-writer "
    "order), or real cache and branch-predictor behaviour (the estimated cycles come from a simulated cache and "
    "move with heap layout: information only). A change that only alters timing, such as a busier spin loop, "
    "a different thread placement or a slower system call, passes here. Instructions are a proxy for CPU time, "
    "not a measure of it: a change can cut instructions and still run slower. Measured under valgrind the code "
    "runs about 20-50 times slower than natively, so the workloads are short (about 1,500 segments per row).";

}  // namespace

GateResult evaluate(const GateInput& in, std::size_t top_functions) {
  GateResult g;
  std::vector<std::string> labels;
  std::set<std::string> seen;
  for (const Run* run : {&in.base[0], &in.head[0], &in.base[1], &in.head[1]})
    for (const auto& [label, row] : run->rows)
      if (seen.insert(label).second) labels.push_back(label);
  for (const auto& label : labels) {
    RowComparison c = compare_row(find(in.base[0], label), find(in.base[1], label), find(in.head[0], label),
                                  find(in.head[1], label), in.thresholds);
    if (fails_gate(c.verdict)) ++g.failed;
    if (c.verdict == Verdict::kWarn) ++g.warned;
    if (c.verdict == Verdict::kUnstable) ++g.unstable;
    if (c.device_calls_changed) ++g.flagged;
    g.rows.push_back(std::move(c));
  }
  g.functions = top_function_changes(in.base[0].self_ir, in.head[0].self_ir, top_functions);
  return g;
}

std::string markdown_report(const GateInput& in, const GateResult& g) {
  std::string md = "# Deterministic gate (instructions under callgrind)\n\n";
  md += fmt::format("- BASE: {}\n- HEAD: {}\n", in.base_desc, in.head_desc);
  if (in.base[0].plant != "none" || in.head[0].plant != "none")
    md +=
        fmt::format("- planted slowdown (test-only build): base `{}`, head `{}`\n", in.base[0].plant, in.head[0].plant);
  if (!in.machine.empty()) md += fmt::format("- machine: {}\n", in.machine);
  if (!in.command.empty()) md += fmt::format("- command: `{}`\n", in.command);
  md += fmt::format(
      "- rules: ≥ {:.0f} % more instructions per segment fails, {:.0f}–{:.0f} % warns; a row whose two runs differ "
      "by more than {:.1f} % is unstable (not judged); any change in device calls per segment is flagged\n\n",
      in.thresholds.fail_pct, in.thresholds.warn_pct, in.thresholds.fail_pct, in.thresholds.unstable_pct);
  const double stable_pct =
      g.rows.empty() ? 0.0 : 100.0 * static_cast<double>(g.judged()) / static_cast<double>(g.rows.size());
  md += fmt::format("**{}**: {} rows, {} stable ({:.1f} %), {} failed, {} warned, {} with changed device calls{}.\n\n",
                    g.passed() ? "PASS" : "FAIL", g.rows.size(), g.judged(), stable_pct, g.failed, g.warned, g.flagged,
                    g.flagged ? " (run the iperf3 gate: `ci/perf-gate.sh`)" : "");

  std::map<std::string, std::vector<const RowComparison*>> by_mode;
  std::vector<std::string> modes;
  for (const auto& c : g.rows) {
    if (!by_mode.count(c.mode)) modes.push_back(c.mode);
    by_mode[c.mode].push_back(&c);
  }
  for (const auto& mode : modes) {
    md += fmt::format("### {}\n\n", mode);
    md +=
        "| workload | base Ir/seg | head Ir/seg | change | head Ir/payload KB | reads / writes / GSO writes per 1000 "
        "seg "
        "(head) | allocs/seg (head) | est. cycles/seg (head, info) | verdict |\n";
    md += "|---|---|---|---|---|---|---|---|---|\n";
    for (const RowComparison* c : by_mode[mode]) {
      const auto& h = c->head;
      const std::string allocs =
          h && h->segments
              ? fmt::format("{:.3f}", static_cast<double>(h->allocations) / static_cast<double>(h->segments))
              : "–";
      const std::string cycles =
          h && h->cycles && h->segments
              ? fmt::format("{:.0f}", static_cast<double>(*h->cycles) / static_cast<double>(h->segments))
              : "–";
      const bool compared = c->verdict != Verdict::kBroken && c->verdict != Verdict::kNew;
      md += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", c->workload,
                        compared ? fmt::format("{:.1f}", c->base_ir_per_segment) : "–",
                        c->verdict != Verdict::kBroken ? fmt::format("{:.1f}", c->head_ir_per_segment) : "–",
                        compared ? fmt::format("{:+.2f} %", c->change_pct) : "–", ir_per_kb(h), calls(h), allocs,
                        cycles, verdict_cell(*c));
    }
    md += "\n";
  }

  md += "### Functions whose own instructions changed most (all rows, run 1 of each side)\n\n";
  if (g.functions.empty()) {
    md += "None: every function executed exactly as many instructions on both sides.\n\n";
  } else {
    md += "| function | base Ir | head Ir | change |\n|---|---|---|---|\n";
    for (const auto& f : g.functions) {
      const std::string name = f.function.size() > 120 ? f.function.substr(0, 117) + "..." : f.function;
      md += fmt::format("| `{}` | {} | {} | {:+.0f} |\n", name, f.base, f.head, f.delta());
    }
    md += "\n";
  }
  md += kLimits;
  md += "\n";
  return md;
}

nlohmann::json json_report(const GateInput& in, const GateResult& g) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& c : g.rows) {
    nlohmann::json j = {{"label", c.label},
                        {"mode", c.mode},
                        {"workload", c.workload},
                        {"verdict", to_string(c.verdict)},
                        {"base_ir_per_segment", c.base_ir_per_segment},
                        {"head_ir_per_segment", c.head_ir_per_segment},
                        {"change_pct", c.change_pct},
                        {"base_spread_pct", c.base_spread_pct},
                        {"head_spread_pct", c.head_spread_pct},
                        {"device_calls_changed", c.device_calls_changed},
                        {"device_calls_unstable", c.device_calls_unstable}};
    for (const auto& [side, r] : {std::pair{"base", &c.base}, std::pair{"head", &c.head}}) {
      if (!*r) continue;
      const RowRun& x = **r;
      j[side] = {{"segments", x.segments},
                 {"payload_bytes", x.payload_bytes},
                 {"ir", x.ir ? nlohmann::json(*x.ir) : nlohmann::json()},
                 {"estimated_cycles", x.cycles ? nlohmann::json(*x.cycles) : nlohmann::json()},
                 {"reads_per_1000_segments", per_kseg(x.reads, x.segments)},
                 {"writes_per_1000_segments", per_kseg(x.writes, x.segments)},
                 {"gso_writes_per_1000_segments", per_kseg(x.gso_writes, x.segments)},
                 {"socket_calls_per_1000_segments", per_kseg(x.socket_calls, x.segments)},
                 {"allocations_per_segment",
                  x.segments ? static_cast<double>(x.allocations) / static_cast<double>(x.segments) : 0.0},
                 {"ir_per_payload_kb",
                  x.ir && x.payload_bytes
                      ? nlohmann::json(static_cast<double>(*x.ir) / (static_cast<double>(x.payload_bytes) / 1024.0))
                      : nlohmann::json()}};
    }
    rows.push_back(std::move(j));
  }
  nlohmann::json fns = nlohmann::json::array();
  for (const auto& f : g.functions) fns.push_back({{"function", f.function}, {"base", f.base}, {"head", f.head}});
  return {{"format", "tb-detgate/1"},
          {"base", in.base_desc},
          {"head", in.head_desc},
          {"base_plant", in.base[0].plant},
          {"head_plant", in.head[0].plant},
          {"machine", in.machine},
          {"passed", g.passed()},
          {"summary",
           {{"rows", g.rows.size()},
            {"stable", g.judged()},
            {"failed", g.failed},
            {"warned", g.warned},
            {"unstable", g.unstable},
            {"device_calls_changed", g.flagged}}},
          {"rows", rows},
          {"functions", fns}};
}

}  // namespace detgate

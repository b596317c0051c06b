#include "check/check_report.h"

#include <fmt/format.h>

namespace check {
namespace {

// Markdown table cells: a pipe or a line break would end the cell.
std::string cell(std::string text) {
  std::string out;
  for (char c : text) {
    if (c == '|')
      out += "\\|";
    else if (c == '\n')
      out += ' ';
    else
      out += c;
  }
  return out;
}

std::string first_reason(const Verdict& v) {
  if (!v.evidence().empty()) return v.evidence().front();
  if (v.status() == Status::kNotApplicable && !v.notes().empty()) return v.notes().front();
  return {};
}

}  // namespace

std::size_t CheckReport::count(Status s) const {
  std::size_t n = 0;
  for (const auto& sys : systems)
    for (const auto& c : sys.cases) n += c.verdict.status() == s ? 1 : 0;
  return n;
}

bool CheckReport::any_setup_error() const {
  for (const auto& s : systems)
    if (!s.setup_error.empty()) return true;
  return false;
}

int CheckReport::exit_code() const {
  if (any_setup_error()) return 2;
  return count(Status::kFail) > 0 ? 1 : 0;
}

std::string case_line(const std::string& system, const CaseResult& r) {
  const auto status = r.verdict.status();
  std::string line = fmt::format("{:<4}  {}  {}", to_string(status), system, r.name);
  const auto reason = first_reason(r.verdict);
  if (!reason.empty()) line += "  " + reason;
  if (r.verdict.evidence().size() > 1) line += fmt::format(" (+{} more)", r.verdict.evidence().size() - 1);
  return line;
}

std::string summary_line(const CheckReport& report) {
  std::size_t cases = 0;
  for (const auto& s : report.systems) cases += s.cases.size();
  std::string line = fmt::format("check: {} passed, {} failed, {} not applicable ({} system(s), {} case run(s))",
                                 report.count(Status::kPass), report.count(Status::kFail),
                                 report.count(Status::kNotApplicable), report.systems.size(), cases);
  for (const auto& s : report.systems)
    if (!s.setup_error.empty()) line += fmt::format("; {}: setup failed: {}", s.label, s.setup_error);
  return line;
}

nlohmann::json to_json(const CheckReport& report) {
  nlohmann::json systems = nlohmann::json::array();
  for (const auto& s : report.systems) {
    nlohmann::json cases = nlohmann::json::array();
    for (const auto& c : s.cases)
      cases.push_back({{"name", c.name},
                       {"verdict", to_string(c.verdict.status())},
                       {"evidence", c.verdict.evidence()},
                       {"notes", c.verdict.notes()},
                       {"figures", c.verdict.figures()},
                       {"seconds", c.seconds}});
    nlohmann::json sys = {{"label", s.label}, {"cases", cases}};
    if (!s.setup_error.empty()) sys["setup_error"] = s.setup_error;
    if (!s.offloads.empty()) sys["offloads"] = s.offloads;
    systems.push_back(std::move(sys));
  }
  return {{"format", kReportFormat},
          {"summary",
           {{"passed", report.count(Status::kPass)},
            {"failed", report.count(Status::kFail)},
            {"not_applicable", report.count(Status::kNotApplicable)},
            {"exit_code", report.exit_code()}}},
          {"systems", systems}};
}

std::string to_markdown(const CheckReport& report) {
  std::string md = "# tunbench check\n\n" + summary_line(report) + "\n";
  for (const auto& s : report.systems) {
    md += fmt::format("\n## {}\n\n", s.label);
    if (!s.setup_error.empty()) md += fmt::format("Setup failed: {}\n\n", cell(s.setup_error));
    if (!s.offloads.empty()) md += fmt::format("Offloads negotiated (TUNSETOFFLOAD): {}\n\n", cell(s.offloads));
    if (s.cases.empty()) continue;
    md += "| case | verdict | evidence | notes |\n|---|---|---|---|\n";
    for (const auto& c : s.cases) {
      std::string evidence, notes;
      for (const auto& e : c.verdict.evidence()) evidence += (evidence.empty() ? "" : "<br>") + cell(e);
      for (const auto& n : c.verdict.notes()) notes += (notes.empty() ? "" : "<br>") + cell(n);
      md += fmt::format("| {} | {} | {} | {} |\n", c.name, to_string(c.verdict.status()), evidence, notes);
    }
  }
  md += "\n## Cases\n\n| case | family | rule |\n|---|---|---|\n";
  for (const auto& c : all_cases()) md += fmt::format("| {} | {} | {} |\n", c.name, c.family, cell(c.rule));
  return md;
}

}  // namespace check

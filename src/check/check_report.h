#pragma once
// The results of `tunbench check`: per system under check, per case, the verdict. Printed one
// line per case as cases finish, summed up in one line, and written as JSON (format
// tunbench-check/1) and markdown. Pure formatting: unit tests drive it with made-up verdicts.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "check/case_registry.h"
#include "check/verdict.h"

namespace check {

inline constexpr const char* kReportFormat = "tunbench-check/1";

struct CaseResult {
  std::string name;
  Verdict verdict;
  double seconds = 0;
};

struct SystemResult {
  std::string label;
  std::string setup_error;  // the system could not be brought up (again): its remaining cases did not run
  std::vector<CaseResult> cases;
  std::string offloads;  // what it negotiated on its devices: "tun11: csum tso4 tso6 uso; tun22: none"
};

struct CheckReport {
  std::vector<SystemResult> systems;

  std::size_t count(Status s) const;
  bool any_setup_error() const;
  // 0 every case passed or was not applicable; 1 a case failed; 2 a system could not be set up.
  int exit_code() const;
};

// "FAIL  sync-gso  tcp-v4-bulk-up  stream client→server: …": the first piece of evidence on a
// failure, the reason on N/A.
std::string case_line(const std::string& system, const CaseResult& result);
// "check: 13 passed, 1 failed, 0 not applicable (2 systems, 14 cases)", plus the setup errors.
std::string summary_line(const CheckReport& report);

nlohmann::json to_json(const CheckReport& report);
// A table per system (case, verdict, evidence) and the list of cases with their rules.
std::string to_markdown(const CheckReport& report);

}  // namespace check

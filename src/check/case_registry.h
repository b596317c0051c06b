#pragma once
// The battery: every case is one row of a table (case_registry.cpp) with its name, family, the
// rule it checks (the same words as docs/check.md) and the function that runs it. Adding a case
// is adding a row; the command, the reports and --list take everything from here.
#include <string>
#include <vector>

#include "check/target.h"
#include "check/verdict.h"

namespace check {

struct Case {
  std::string name;    // "tcp-v4-bulk-up": how --cases selects it and reports name it
  std::string family;  // "tcp", "udp", "robustness"
  std::string rule;    // one sentence: what must hold for PASS
  Verdict (*run)(const Target&) = nullptr;
  // The case ends the forwarder (a signal): it gets a fresh one, and the next case another.
  bool stops_forwarder = false;
};

const std::vector<Case>& all_cases();

// The cases whose name matches one of the comma-separated shell patterns in `patterns`
// ("tcp-*,udp-v6"), in table order; all of them for "". Throws std::invalid_argument naming a
// pattern that matches no case.
std::vector<const Case*> select_cases(const std::string& patterns);

}  // namespace check

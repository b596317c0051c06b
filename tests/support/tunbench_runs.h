#pragma once
// Following a `tunbench run` from outside, as the harness tests do: its run id (from the log
// line on stderr) and the namespaces that belong to it. Both refuse to answer vacuously: an id
// that was never printed is a test failure, not "", so "no namespace of this run is left"
// cannot pass by matching nothing.
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "harness/command.h"

namespace tbtest {

// The run id in "tunbench: … logs in /tmp/tunbench-ID"; nullopt while it has not been printed.
inline std::optional<std::string> find_run_id(const std::string& stderr_text) {
  std::smatch m;
  static const std::regex pattern("logs in /tmp/tunbench-([0-9a-f]+)");
  if (!std::regex_search(stderr_text, m, pattern) || m[1].str().empty()) return std::nullopt;
  return m[1].str();
}

// The run id tunbench printed; a test failure (and an id that matches no namespace) when it
// printed none.
inline std::string run_id_from(const std::string& stderr_text) {
  if (auto id = find_run_id(stderr_text)) return *id;
  ADD_FAILURE() << "tunbench printed no run id; stderr:\n" << stderr_text;
  return "(no run id)";
}

// The namespaces of run `run_id` that exist now (tb-<role>-<id>-<n>).
inline std::vector<std::string> namespaces_of(const std::string& run_id) {
  std::vector<std::string> found;
  if (run_id.empty()) {
    ADD_FAILURE() << "namespaces_of: empty run id";
    return found;
  }
  std::istringstream lines(harness::run_checked({"ip", "netns", "list"}));
  for (std::string line; std::getline(lines, line);)
    if (line.starts_with("tb-") && line.find("-" + run_id + "-") != std::string::npos)
      found.push_back(line.substr(0, line.find(' ')));
  return found;
}

}  // namespace tbtest

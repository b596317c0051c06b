#pragma once
// Following `tunbench` from outside, as the harness and fault tests do: started with its output
// in files of a scratch directory, its run file read once it finished, its run id (from the log
// line on stderr) and the namespaces that belong to it. None answers vacuously: an id that was
// never printed is a test failure, not "", so "no namespace of this run is left" cannot pass by
// matching nothing, and a run that wrote no run file has no rows.
#include <chrono>
#include <filesystem>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "harness/command.h"
#include "harness/process.h"
#include "support/build_tree.h"
#include "support/scratch_dir.h"

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

// The tunbench processes of one test, each in its own process group with its stdout and stderr
// in <tag>.out and <tag>.err of a scratch directory (kept when the test fails).
class TunbenchRuns {
 public:
  explicit TunbenchRuns(const std::string& prefix) : dir_(prefix) {}

  // Starts `tunbench args`; out() and err() follow it from then on.
  harness::Process start(std::vector<std::string> args, const std::string& tag) {
    args.insert(args.begin(), tunbench().string());
    out_ = dir_.file(tag + ".out");
    err_ = dir_.file(tag + ".err");
    return harness::Process::spawn({args, "", out_, err_});
  }
  // What the last one started wrote so far.
  std::string out() const { return harness::read_file(out_.string()); }
  std::string err() const { return harness::read_file(err_.string()); }
  // A file of the scratch directory (a --json or --sut path).
  std::filesystem::path file(const std::string& name) const { return dir_.file(name); }

  // Waits (bounded) for `p` to exit with status 0 and returns the run file it wrote at `json`. A
  // test failure, and null (no rows), when it did not finish or wrote none.
  nlohmann::json finished_run(harness::Process& p, const std::filesystem::path& json,
                              std::chrono::milliseconds timeout) const {
    if (!p.wait_for(timeout)) {
      ADD_FAILURE() << "tunbench still running after " << timeout.count() << " ms; stderr:\n" << err();
      return {};
    }
    EXPECT_EQ(p.exit_status(), 0) << out() << err();
    const auto text = harness::read_file(json.string());
    if (text.empty()) {
      ADD_FAILURE() << "tunbench wrote no run file " << json << "; stderr:\n" << err();
      return {};
    }
    return nlohmann::json::parse(text);
  }

 private:
  ScratchDir dir_;
  std::filesystem::path out_, err_;
};

}  // namespace tbtest

#pragma once
// One `tunbench check` run as the tests see it from outside: started with its output, JSON and
// markdown reports in a scratch directory, waited for (bounded), and what it left behind.
#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "harness/command.h"
#include "harness/process.h"
#include "support/build_tree.h"
#include "support/scratch_dir.h"
#include "support/tunbench_runs.h"

namespace tbtest {

// The test-only forwarder with planted defects (tests/integration/support/badfwd.cpp).
inline std::filesystem::path badfwd() { return build_dir() / "tests/integration/support/tb_badfwd"; }

class CheckRun {
 public:
  // Runs `tunbench check args` (with --json and --markdown into the scratch directory when
  // `reports`) and waits for it, at most 180 s.
  CheckRun(const std::string& tag, std::vector<std::string> args, bool reports = true)
      : CheckRun(tag, std::move(args), reports, kStartOnly) {
    finish(std::chrono::steady_clock::now() + std::chrono::seconds(180));
  }

  // Starts it only, so that several runs go at once; finish() waits for it.
  static std::unique_ptr<CheckRun> start(const std::string& tag, std::vector<std::string> args) {
    return std::unique_ptr<CheckRun>(new CheckRun(tag, std::move(args), true, kStartOnly));
  }
  // Waits for the run until `deadline` (a test failure, and the run stopped, after it) and reads
  // its reports. Once only.
  void finish(std::chrono::steady_clock::time_point deadline) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (!process_.wait_for(std::max(left, std::chrono::milliseconds(0)))) {
      ADD_FAILURE() << "tunbench check still running at its deadline:\n" << output();
      process_.stop();
    }
    status_ = process_.exit_status().value_or(-1);
    if (reports_) {
      const auto text = harness::read_file(file("check.json"));
      if (!text.empty()) report_ = nlohmann::json::parse(text, nullptr, false);
    }
  }

  int exit_status() const { return status_; }
  // The JSON report; a test failure and null when none was written.
  const nlohmann::json& report() const {
    if (report_.is_null() || report_.is_discarded()) ADD_FAILURE() << "no JSON report:\n" << output();
    return report_;
  }
  std::string markdown() const { return harness::read_file(file("check.md")); }
  std::string stdout_text() const { return harness::read_file(dir_.file("out").string()); }
  std::string stderr_text() const { return harness::read_file(dir_.file("err").string()); }
  std::string output() const { return "stdout:\n" + stdout_text() + "stderr:\n" + stderr_text(); }

  // No namespace of this run and no state file are left.
  void expect_nothing_left() const {
    const auto id = run_id_from(stderr_text());
    EXPECT_TRUE(namespaces_of(id).empty()) << id;
    EXPECT_FALSE(std::filesystem::exists("/run/tunbench/" + id + ".json"));
  }

 private:
  enum StartOnly { kStartOnly };
  CheckRun(const std::string& tag, std::vector<std::string> args, bool reports, StartOnly)
      : dir_("tb-check-" + tag), reports_(reports) {
    args.insert(args.begin(), {tunbench().string(), "check"});
    if (reports) args.insert(args.end(), {"--json", file("check.json"), "--markdown", file("check.md")});
    process_ = harness::Process::spawn({args, "", dir_.file("out"), dir_.file("err")});
  }
  std::string file(const std::string& name) const { return dir_.file(name).string(); }

  ScratchDir dir_;
  bool reports_;
  harness::Process process_;
  int status_ = -1;
  nlohmann::json report_;
};

}  // namespace tbtest

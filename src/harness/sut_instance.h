#pragma once
// One system under test brought up for one measurement, from its description (sut.h): the
// namespaces (Topology), its processes started in order, each waited for until ready (its
// devices up, its port listening), then the devices it created moved and configured. The
// destructor stops every process (reverse order) and removes the namespaces, also on exceptions
// and signals. Used by `tunbench run`, `tunbench soak` and the integration tests' rigs.
#include <sys/types.h>

#include <chrono>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/process.h"
#include "harness/run_state.h"
#include "harness/sut.h"
#include "harness/topology.h"

namespace harness {

class SutInstance {
 public:
  // Throws with the failing process's stderr when one exits or is not ready within `ready_timeout`.
  // `extra` adds placeholders for the processes' arguments (e.g. {"mtu", "1500"}).
  SutInstance(const SutSpec& spec, const std::string& name_suffix, std::filesystem::path log_dir, RunState* state,
              std::chrono::milliseconds ready_timeout, std::map<std::string, std::string> extra = {});
  ~SutInstance();
  SutInstance(const SutInstance&) = delete;
  SutInstance& operator=(const SutInstance&) = delete;

  const SutSpec& spec() const { return spec_; }
  const Topology& topology() const { return *topology_; }
  const std::filesystem::path& log_dir() const { return log_dir_; }
  // The process started for `name` of the spec; throws for an unknown name.
  Process& process(const std::string& name);
  // Process ids whose trees are the row's CPU and memory (SutProcess::sampled).
  std::vector<pid_t> sampled_pids() const;
  // Throws naming the first process that is no longer running, its status and stderr tail.
  void check_running();
  // Stops every process, last started first (SIGINT, then harder); returns each exit status.
  std::map<std::string, int> stop();
  // {stats_json}: where the main process writes its counters (SutSpec::stats_format).
  std::filesystem::path stats_path() const { return log_dir_ / "stats.json"; }
  // The counters the main process wrote, once stopped; nullopt when the spec names no format
  // or the file is missing.
  std::optional<nlohmann::json> stats() const;
  std::filesystem::path stderr_path(const std::string& process) const { return log_dir_ / (process + ".err"); }
  std::filesystem::path stdout_path(const std::string& process) const { return log_dir_ / (process + ".out"); }

 private:
  void start(const SutProcess& p, std::chrono::steady_clock::time_point deadline);
  // ":\n<last lines of its stderr>", or " (no stderr output)".
  std::string stderr_tail(const std::string& name, std::size_t lines) const;

  SutSpec spec_;
  std::filesystem::path log_dir_;
  std::map<std::string, std::string> extra_;
  RunState* state_;
  // Declaration order is teardown order in reverse: processes stop before the namespaces go.
  std::unique_ptr<Topology> topology_;
  std::deque<Process> processes_;  // in spec order
  std::deque<TrackedChild> tracked_;
};

}  // namespace harness

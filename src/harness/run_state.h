#pragma once
// The on-disk record of what a running tunbench created (/run/tunbench/<id>.json): its own pid,
// the namespaces and the children it started. A run killed with SIGKILL cannot clean up after
// itself; `tunbench cleanup` reads these records to do it.
#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace harness {

// A process identified by pid AND start time, so a recycled pid is never mistaken for ours.
struct ProcessIdentity {
  pid_t pid = 0;
  std::uint64_t starttime = 0;
  std::string name;
};
// Reads /proc/PID/stat; empty when the process is gone.
std::optional<ProcessIdentity> identify_process(pid_t pid);
bool is_alive(const ProcessIdentity& process);

class RunState {
 public:
  static std::filesystem::path directory();  // /run/tunbench, or $TUNBENCH_STATE_DIR
  // Writes the record at once; the destructor deletes it.
  explicit RunState(std::string run_id);
  ~RunState();
  RunState(const RunState&) = delete;
  RunState& operator=(const RunState&) = delete;

  const std::string& run_id() const { return run_id_; }
  void add_namespace(const std::string& name);
  void remove_namespace(const std::string& name);
  void add_child(pid_t pid);
  void remove_child(pid_t pid);

 private:
  void save();

  std::string run_id_;
  std::filesystem::path path_;
  ProcessIdentity owner_;
  std::vector<std::string> namespaces_;
  std::vector<ProcessIdentity> children_;
  std::mutex mutex_;
};

// Keeps a child recorded in the run's state file while this object lives. `state` may be null.
class TrackedChild {
 public:
  TrackedChild(RunState* state, pid_t pid) : state_(state), pid_(pid) {
    if (state_) state_->add_child(pid_);
  }
  ~TrackedChild() {
    try {
      if (state_) state_->remove_child(pid_);
    } catch (...) {
      // Best effort: a stale entry only makes `tunbench cleanup` check a pid that is gone, while
      // an exception escaping a destructor (possibly during unwinding) would terminate the run.
    }
  }
  TrackedChild(const TrackedChild&) = delete;
  TrackedChild& operator=(const TrackedChild&) = delete;

 private:
  RunState* state_;
  pid_t pid_;
};

// A fresh run id: pid plus random hex, short enough for names such as "tb-fwd-<id>-12".
std::string make_run_id();

}  // namespace harness

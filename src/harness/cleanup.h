#pragma once
// `tunbench cleanup`: removes what killed runs left behind. Only touches namespaces named
// tb-fwd-*, tb-a-*, tb-b-* and processes recorded by (or running inside the namespaces of) a
// tunbench run; namespaces of a run whose owner is still alive are kept unless `force`.
#include <string>
#include <vector>

namespace harness {

struct CleanupReport {
  std::vector<std::string> namespaces_deleted;
  std::vector<std::string> processes_killed;  // "pid (name)"
  std::vector<std::string> kept_live_runs;    // run ids whose owner still runs
  std::vector<std::string> errors;
};

// True for the namespace names tunbench creates.
bool is_tunbench_namespace(const std::string& name);

CleanupReport cleanup_leftovers(bool force);

}  // namespace harness

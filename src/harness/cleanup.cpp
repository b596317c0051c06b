#include "harness/cleanup.h"

#include <signal.h>

#include <filesystem>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "harness/command.h"
#include "harness/run_state.h"

namespace harness {
namespace {

std::vector<std::string> list_namespaces() {
  std::vector<std::string> names;
  std::istringstream lines(run_checked({"ip", "netns", "list"}));
  for (std::string line; std::getline(lines, line);) {
    const auto name = line.substr(0, line.find(' '));  // "name (id: 3)"
    if (!name.empty()) names.push_back(name);
  }
  return names;
}

bool belongs_to(const std::string& ns, const std::vector<std::string>& run_ids) {
  for (const auto& id : run_ids)
    if (ns.find("-" + id + "-") != std::string::npos || ns.ends_with("-" + id)) return true;
  return false;
}

void kill_recorded(const ProcessIdentity& child, CleanupReport& report) {
  if (!is_alive(child)) return;
  ::kill(-child.pid, SIGKILL);  // the group tunbench created for it
  ::kill(child.pid, SIGKILL);
  report.processes_killed.push_back(fmt::format("{} ({})", child.pid, child.name));
}

void empty_and_delete(const std::string& ns, CleanupReport& report) {
  // Everything still running inside a tb-* namespace was started by tunbench.
  const auto pids = run_command({"ip", "netns", "pids", ns});
  std::istringstream list(pids.out);
  for (pid_t pid; list >> pid;) {
    const auto who = identify_process(pid);
    if (::kill(pid, SIGKILL) == 0)
      report.processes_killed.push_back(fmt::format("{} ({})", pid, who ? who->name : "?"));
  }
  const auto del = run_command({"ip", "netns", "del", ns});
  if (del.ok())
    report.namespaces_deleted.push_back(ns);
  else
    report.errors.push_back(fmt::format("ip netns del {}: {}", ns, tail_lines(del.err, 2)));
}

}  // namespace

bool is_tunbench_namespace(const std::string& name) {
  return name.starts_with("tb-fwd-") || name.starts_with("tb-a-") || name.starts_with("tb-b-");
}

CleanupReport cleanup_leftovers(bool force) {
  CleanupReport report;
  std::vector<std::string> live;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(RunState::directory(), ec)) {
    if (entry.path().extension() != ".json") continue;
    nlohmann::json state;
    try {
      state = nlohmann::json::parse(read_file(entry.path().string()));
    } catch (const std::exception& e) {
      report.errors.push_back(fmt::format("{}: {}", entry.path().string(), e.what()));
      continue;
    }
    const ProcessIdentity owner{state["owner"].value("pid", 0), state["owner"].value("starttime", 0ULL),
                                state["owner"].value("name", "")};
    const std::string id = state.value("run_id", "");
    if (!force && is_alive(owner)) {
      live.push_back(id);
      report.kept_live_runs.push_back(id);
      continue;
    }
    for (const auto& c : state.value("children", nlohmann::json::array()))
      kill_recorded({c.value("pid", 0), c.value("starttime", 0ULL), c.value("name", "")}, report);
    std::filesystem::remove(entry.path(), ec);
  }
  for (const auto& ns : list_namespaces())
    if (is_tunbench_namespace(ns) && !belongs_to(ns, live)) empty_and_delete(ns, report);
  return report;
}

}  // namespace harness

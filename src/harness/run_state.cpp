#include "harness/run_state.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <random>

#include <fmt/format.h>

#include "harness/command.h"
#include "harness/proc_parse.h"

namespace harness {

std::optional<ProcessIdentity> identify_process(pid_t pid) {
  const auto stat = parse_pid_stat(read_file(fmt::format("/proc/{}/stat", pid)));
  if (!stat || stat->state == 'Z') return std::nullopt;
  return ProcessIdentity{pid, stat->starttime, stat->comm};
}

bool is_alive(const ProcessIdentity& process) {
  const auto now = identify_process(process.pid);
  return now && now->starttime == process.starttime;
}

std::filesystem::path RunState::directory() {
  if (const char* dir = std::getenv("TUNBENCH_STATE_DIR"); dir && *dir) return dir;
  return "/run/tunbench";
}

std::string make_run_id() {
  std::random_device random;
  return fmt::format("{}{:03x}", ::getpid() % 100000, random() % 0x1000);
}

RunState::RunState(std::string run_id) : run_id_(std::move(run_id)) {
  std::filesystem::create_directories(directory());
  path_ = directory() / (run_id_ + ".json");
  owner_ = identify_process(::getpid()).value_or(ProcessIdentity{::getpid(), 0, "tunbench"});
  save();
}

RunState::~RunState() {
  std::error_code ignored;
  std::filesystem::remove(path_, ignored);
}

void RunState::add_namespace(const std::string& name) {
  std::lock_guard lock(mutex_);
  namespaces_.push_back(name);
  save();
}

void RunState::remove_namespace(const std::string& name) {
  std::lock_guard lock(mutex_);
  std::erase(namespaces_, name);
  save();
}

void RunState::add_child(pid_t pid) {
  std::lock_guard lock(mutex_);
  children_.push_back(identify_process(pid).value_or(ProcessIdentity{pid, 0, "?"}));
  save();
}

void RunState::remove_child(pid_t pid) {
  std::lock_guard lock(mutex_);
  std::erase_if(children_, [pid](const ProcessIdentity& c) { return c.pid == pid; });
  save();
}

void RunState::save() {
  nlohmann::json j;
  j["run_id"] = run_id_;
  j["owner"] = {{"pid", owner_.pid}, {"starttime", owner_.starttime}, {"name", owner_.name}};
  j["namespaces"] = namespaces_;
  j["children"] = nlohmann::json::array();
  for (const auto& c : children_)
    j["children"].push_back({{"pid", c.pid}, {"starttime", c.starttime}, {"name", c.name}});
  // Write-then-rename: a reader never sees half a record.
  const auto tmp = path_.string() + ".tmp";
  {
    std::ofstream out(tmp);
    out << j.dump(2) << '\n';
  }
  std::error_code ignored;
  std::filesystem::rename(tmp, path_, ignored);
}

}  // namespace harness

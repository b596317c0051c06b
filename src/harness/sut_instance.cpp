#include "harness/sut_instance.h"

#include <thread>

#include <fmt/format.h>

#include "harness/command.h"
#include "harness/interrupt.h"
#include "harness/iperf.h"

namespace harness {

SutInstance::SutInstance(const SutSpec& spec, const std::string& suffix, std::filesystem::path log_dir, RunState* state,
                         std::chrono::milliseconds ready_timeout, std::map<std::string, std::string> extra)
    : spec_(spec), log_dir_(std::move(log_dir)), extra_(std::move(extra)), state_(state) {
  std::filesystem::create_directories(log_dir_);
  topology_ = std::make_unique<Topology>(spec_, suffix, state_);
  try {
    const auto deadline = std::chrono::steady_clock::now() + ready_timeout;
    for (const auto& p : spec_.processes) start(p, deadline);
    topology_->adopt(spec_.devices);
  } catch (...) {
    stop();
    throw;
  }
}

SutInstance::~SutInstance() {
  stop();
  topology_.reset();
}

std::string SutInstance::stderr_tail(const std::string& name, std::size_t lines) const {
  const auto err = tail_lines(read_file(stderr_path(name).string()), lines);
  return err.empty() ? std::string(" (no stderr output)") : ":\n" + err;
}

void SutInstance::start(const SutProcess& p, std::chrono::steady_clock::time_point deadline) {
  auto values = topology_->placeholders();
  values.insert(extra_.begin(), extra_.end());
  values["stats_json"] = stats_path().string();
  values["log_dir"] = log_dir_.string();
  const auto argv = expand_placeholders(p.argv, values);
  processes_.push_back(Process::spawn({argv, topology_->ns(p.ns), stdout_path(p.name), stderr_path(p.name)}));
  Process& proc = processes_.back();
  tracked_.emplace_back(state_, proc.pid());
  std::vector<const CreatedDevice*> devices;
  for (const auto& d : spec_.devices)
    if (d.by == p.name) devices.push_back(&d);
  const auto describe_wait = [&] {
    std::string what;
    for (const auto* d : devices)
      what += fmt::format("{}{} up in {}", what.empty() ? "" : ", ", d->iface.name, topology_->ns(d->created_in));
    if (p.ready_port)
      what += fmt::format("{}port {} listening in {}", what.empty() ? "" : ", ", *p.ready_port, topology_->ns(p.ns));
    return what;
  };
  for (;;) {
    throw_if_interrupted();
    if (!proc.running())
      throw std::runtime_error(fmt::format("{} `{}` exited with status {} before it was ready ({}){}", p.name,
                                           join_command(argv), proc.exit_status().value_or(-1), describe_wait(),
                                           stderr_tail(p.name, 20)));
    bool ready = true;
    for (const auto* d : devices) ready = ready && topology_->device_up(d->created_in, d->iface.name);
    if (ready && p.ready_port) ready = port_in_use(topology_->ns(p.ns), *p.ready_port);
    if (ready) return;
    if (std::chrono::steady_clock::now() >= deadline)
      throw std::runtime_error(fmt::format("{} `{}` was not ready in time (waited for {}){}", p.name,
                                           join_command(argv), describe_wait(), stderr_tail(p.name, 20)));
    // Polling an outside condition (a device the process creates): nothing to wait on instead.
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

Process& SutInstance::process(const std::string& name) {
  for (std::size_t i = 0; i < processes_.size(); ++i)
    if (spec_.processes[i].name == name) return processes_[i];
  throw std::invalid_argument(fmt::format("no process '{}' in {}", name, spec_.kind));
}

std::vector<pid_t> SutInstance::sampled_pids() const {
  std::vector<pid_t> pids;
  for (std::size_t i = 0; i < processes_.size(); ++i)
    if (spec_.processes[i].sampled) pids.push_back(processes_[i].pid());
  return pids;
}

void SutInstance::check_running() {
  for (std::size_t i = 0; i < processes_.size(); ++i) {
    if (processes_[i].running()) continue;
    const auto& name = spec_.processes[i].name;
    throw std::runtime_error(fmt::format("{} exited during the measurement (status {}){}", name,
                                         processes_[i].exit_status().value_or(-1), stderr_tail(name, 10)));
  }
}

std::map<std::string, int> SutInstance::stop() {
  std::map<std::string, int> statuses;
  for (std::size_t i = processes_.size(); i-- > 0;) {
    Process& p = processes_[i];
    if (p.pid() <= 0) continue;
    statuses[spec_.processes[i].name] = p.running()
                                            ? p.stop(std::chrono::milliseconds(spec_.processes[i].stop_grace_ms))
                                            : p.exit_status().value_or(-1);
  }
  tracked_.clear();
  return statuses;
}

std::optional<nlohmann::json> SutInstance::stats() const {
  if (spec_.stats_format.empty()) return std::nullopt;
  const auto text = read_file(stats_path().string());
  if (text.empty()) return std::nullopt;
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || j.value("format", "") != spec_.stats_format) return std::nullopt;
  return j;
}

}  // namespace harness

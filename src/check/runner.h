#pragma once
// Runs the selected cases against each system under check, in the usual topology
// (harness::SutInstance): one bring-up serves every case until one stops the forwarder (a
// robustness case) or it dies, then the next case gets a fresh one. A forwarder that dies during
// a case fails that case with its exit status and stderr. Everything is torn down on every exit
// path, signals included (harness::Interrupted propagates after the teardown).
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "check/case_registry.h"
#include "check/check_report.h"
#include "harness/sut.h"

namespace harness {
class RunState;
}

namespace check {

struct SystemUnderCheck {
  std::string label;
  harness::SutSpec sut;
};

struct RunOptions {
  std::filesystem::path log_dir;                   // each bring-up's logs in a folder of its own
  std::chrono::milliseconds ready_timeout{10000};  // for the forwarder to create its devices
  std::uint64_t bulk_bytes = 4 << 20;
  std::chrono::milliseconds transfer_timeout{30000};
};

struct RunEvents {
  std::function<void(const std::string& system, const Case&)> case_started;
  std::function<void(const std::string& system, const CaseResult&)> case_done;
};

CheckReport run_checks(const std::vector<SystemUnderCheck>& systems, const std::vector<const Case*>& cases,
                       const RunOptions& options, harness::RunState* state, const RunEvents& events);

}  // namespace check

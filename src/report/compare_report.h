#pragma once
// The markdown report of `tunbench compare`.
#include <string>

#include "harness/gate.h"

namespace report {

std::string compare_markdown(const harness::Comparison& comparison, const harness::RunResult& base,
                             const harness::RunResult& head, const harness::GateOptions& options);

}  // namespace report

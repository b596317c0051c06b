#pragma once
// What the numbers were measured on: results are only comparable on the same machine.
#include <nlohmann/json.hpp>

namespace harness {

// cpu_model, cores, kernel, iperf3_version, tunbench_version, hostname.
nlohmann::json describe_machine();

}  // namespace harness

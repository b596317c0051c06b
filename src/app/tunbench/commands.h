#pragma once
// Each tunbench subcommand registers itself on the root CLI::App from its own file, so the
// commands stay independent: offload_command.cpp, harness_commands.cpp, soak_command.cpp,
// calibrate_command.cpp, check_command.cpp.
#include <CLI/CLI.hpp>

namespace tunbench_app {

// Registers `tunbench offload split|coalesce`. Sets *exit_code when it runs.
void add_offload_command(CLI::App& app, int* exit_code);
// Registers `tunbench run`, `tunbench list`, `tunbench compare`, `tunbench report`, `tunbench cleanup`.
void add_harness_commands(CLI::App& app, int* exit_code);
// Registers `tunbench soak`.
void add_soak_command(CLI::App& app, int* exit_code);
// Registers `tunbench calibrate`.
void add_calibrate_command(CLI::App& app, int* exit_code);
// Registers `tunbench check`.
void add_check_command(CLI::App& app, int* exit_code);

}  // namespace tunbench_app

#pragma once
// Each tunbench subcommand registers itself on the root CLI::App from its own file, so the
// commands stay independent: offload_command.cpp, harness_commands.cpp, soak_command.cpp,
// calibrate_command.cpp, check_command.cpp.
#include <CLI/CLI.hpp>

namespace tunbench_app {

// The exit statuses every subcommand keeps (README.md, "Exit status"); `tunbench offload` adds 3
// (records rejected), and a signal N ends a run with 128 + N.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;   // the work found a failure, or reading/writing failed during it
inline constexpr int kExitBadInput = 2;  // bad input found before anything started: one line says what

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

// tunbench: benchmarks TUN forwarders, checks the offload engine on pcaps, gates regressions.
#include <cstdio>
#include <exception>

#include <CLI/CLI.hpp>

#include "tunbench/commands.h"

int main(int argc, char** argv) {
  try {
    CLI::App app{"tunbench: how fast and how correct is a TUN forwarder, and did this change make it worse?"};
    app.require_subcommand(1);
    int exit_code = 0;
    tunbench_app::add_offload_command(app, &exit_code);
    tunbench_app::add_harness_commands(app, &exit_code);
    tunbench_app::add_soak_command(app, &exit_code);
    tunbench_app::add_calibrate_command(app, &exit_code);
    tunbench_app::add_check_command(app, &exit_code);
    try {
      app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
      // Usage errors exit 1 (CLI11 would use its own codes), help exits 0.
      const int rc = app.exit(e);
      return rc == 0 ? 0 : 1;
    }
    return exit_code;
  } catch (const std::exception& e) {
    // What the commands did not handle themselves: an I/O error (exit status 1, README.md).
    std::fprintf(stderr, "tunbench: %s\n", e.what());  // cannot throw, unlike fmt::print
    return 1;
  }
}

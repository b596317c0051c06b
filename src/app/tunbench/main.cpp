// tunbench: benchmarks TUN forwarders, checks the offload engine on pcaps, gates regressions.
#include <cstdio>
#include <exception>
#include <string>

#include <CLI/CLI.hpp>

#include "tunbench/commands.h"

namespace {

// "tunbench offload split": the command line's subcommands as far as they were parsed.
std::string command_path(const CLI::App& app) {
  std::string path = "tunbench";
  for (const CLI::App* a = &app;;) {
    const auto subs = a->get_subcommands();
    if (subs.empty()) return path;
    a = subs.front();
    path += " " + a->get_name();
  }
}

}  // namespace

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
      if (e.get_exit_code() == 0) return app.exit(e);  // --help
      // A bad command line is bad input found before anything started (README, "Exit status"):
      // one line naming the command and what was wrong, not CLI11's own codes.
      const auto path = command_path(app);
      std::fprintf(stderr, "%s: %s (%s --help)\n", path.c_str(), e.what(), path.c_str());
      return tunbench_app::kExitBadInput;
    }
    return exit_code;
  } catch (const std::exception& e) {
    // What the commands did not handle themselves: an I/O error (exit status 1, README.md).
    std::fprintf(stderr, "tunbench: %s\n", e.what());  // cannot throw, unlike fmt::print
    return 1;
  }
}

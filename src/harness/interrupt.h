#pragma once
// SIGINT/SIGTERM/SIGHUP must never leave namespaces or forwarders behind. The handler only sets a
// flag; every bounded wait in the harness polls it and throws Interrupted, so the normal RAII
// unwinding (Topology, Process destructors) performs the teardown outside signal context.
#include <stdexcept>

namespace harness {

struct Interrupted : std::runtime_error {
  explicit Interrupted(int signal);
  int signal;
};

// Installs the flag-setting handlers (idempotent). Without SA_RESTART, so blocking calls wake up.
void install_interrupt_handlers();
bool interrupt_requested();
// Throws Interrupted when a signal arrived.
void throw_if_interrupted();
// For tests: forget an earlier signal.
void reset_interrupt();

}  // namespace harness

#include "harness/interrupt.h"

#include <csignal>
#include <string>

namespace harness {
namespace {
volatile std::sig_atomic_t g_signal = 0;

extern "C" void on_signal(int sig) { g_signal = sig; }
}  // namespace

Interrupted::Interrupted(int sig) : std::runtime_error("interrupted by signal " + std::to_string(sig)), signal(sig) {}

void install_interrupt_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaction(sig, &sa, nullptr);
  // A closed pipe to a child must be an error code, not a silent death skipping teardown.
  std::signal(SIGPIPE, SIG_IGN);
}

bool interrupt_requested() { return g_signal != 0; }

void throw_if_interrupted() {
  if (g_signal != 0) throw Interrupted(g_signal);
}

void reset_interrupt() { g_signal = 0; }

}  // namespace harness

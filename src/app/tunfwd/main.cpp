// tunfwd: forwards packets between two TUN devices it creates, in one of the modes of the
// registry (tunfwd --list). SIGINT/SIGTERM stop it and print the counters per direction (and
// write them as JSON with --stats-json); the exit status is non-zero when a device failed
// (e.g. deleted under it). --user NAME drops root and every capability once the devices are
// open (privileges.h).
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdio>
#include <exception>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "forward/counters/counters_json.h"
#include "forward/registry.h"
#include "os/cpu_placement.h"
#include "os/privileges.h"
#include "tunfwd/decorate.h"
#include "tunfwd/devices.h"

namespace {

struct Args {
  std::string mode;
  tunfwd::DeviceArgs devices;
  std::optional<std::size_t> threads;  // not given: the mode's default (Mode::loop_per_direction)
  std::string user;                    // --user: drop to this user once the devices are open
  std::string cpus = "auto";           // --cpus: see cpu_placement.h
  std::string stats_json;              // --stats-json: the counters as JSON, written on exit
  bool list = false;
  bool json = false;
};

// Waits for SIGINT/SIGTERM (or SIGUSR1, our own "the forwarder ended") on a dedicated thread,
// so stop() runs in a normal thread context instead of a signal handler.
class SignalThread {
 public:
  explicit SignalThread(forward::Forwarder& f) {
    sigset_t set = signals();
    pthread_sigmask(SIG_BLOCK, &set, nullptr);  // inherited by every thread started later
    thread_ = std::thread([this, &f, set] {
      int sig = 0;
      sigwait(&set, &sig);
      done_.store(true);
      if (sig != SIGUSR1) {
        std::fprintf(stderr, "tunfwd: %s, stopping\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
        f.stop();
      }
    });
  }
  ~SignalThread() {
    // Wake the thread if no signal came (the forwarder ended by itself). If it already returned,
    // the pending SIGUSR1 stays blocked and is never delivered.
    if (!done_.load()) pthread_kill(thread_.native_handle(), SIGUSR1);
    thread_.join();
  }
  SignalThread(const SignalThread&) = delete;
  SignalThread& operator=(const SignalThread&) = delete;
  static sigset_t signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGUSR1);
    return set;
  }

 private:
  std::atomic<bool> done_{false};
  std::thread thread_;
};

int list_modes(bool json) {
  if (json) {
    std::cout << forward::registry_json().dump(2) << '\n';
    return 0;
  }
  for (const auto& m : forward::modes()) fmt::print("{:<24} {}\n", m.name, m.description);
  return 0;
}

// Written whatever the outcome, so a failed run still leaves its counters. The file was opened
// at start-up (before --user drops the right to create it) and is only written here.
bool write_stats(std::ofstream& out, const std::string& path, const forward::Mode& mode, const forward::Forwarder& f,
                 const forward::Status& status) {
  nlohmann::json j = forward::counters_json(f.counters());
  j["mode"] = mode.name;
  j["ok"] = status.ok;
  j["error"] = status.error;
  out << j.dump(2) << '\n';
  out.close();
  if (!out) {
    fmt::print(stderr, "tunfwd: --stats-json {}: writing the counters failed\n", path);
    return false;
  }
  return true;
}

int run(const Args& a) {
  const forward::Mode* mode = forward::find_mode(a.mode);
  if (!mode) {
    fmt::print(stderr, "tunfwd: unknown mode '{}' (tunfwd --list)\n", a.mode);
    return 2;
  }
  if (a.threads == 0u) {
    fmt::print(stderr, "tunfwd: --threads must be at least 1\n");
    return 2;
  }
  // Block the stop signals before any thread exists so only the signal thread receives them.
  sigset_t set = SignalThread::signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  os::User user;
  if (!a.user.empty()) {
    if (std::string error; !os::find_user(a.user, user, error)) {
      fmt::print(stderr, "tunfwd: --user {}: {}\n", a.user, error);
      return 2;
    }
  }

  std::ofstream stats;
  if (!a.stats_json.empty()) {
    stats.open(a.stats_json, std::ios::trunc);
    if (!stats) {
      fmt::print(stderr, "tunfwd: --stats-json {}: cannot create the file\n", a.stats_json);
      return 2;
    }
  }

  // Event loops: one, or one per direction (then running in parallel, so not put on one CPU).
  const std::vector<int> allowed = os::allowed_cpus();
  const std::size_t asked = a.threads.value_or(mode->loop_per_direction && allowed.size() >= 2 ? 2 : 1);
  const std::size_t threads = mode->async ? std::min<std::size_t>(asked, 2) : 1;
  std::string placement_error;
  const std::string cpus = a.cpus == "auto" && (!mode->pin_by_default || threads > 1) ? "none" : a.cpus;
  const auto placement = os::parse_cpu_placement(cpus, allowed, placement_error);
  if (!placement) {
    fmt::print(stderr, "tunfwd: {}\n", placement_error);
    return 2;
  }

  // Before the devices: their async views must be destroyed before the loops.
  std::array<boost::asio::io_context, 2> loops;
  std::unique_ptr<tunfwd::Devices> devices;
  try {
    devices = std::make_unique<tunfwd::Devices>(*mode, a.devices);
  } catch (const std::exception& e) {
    fmt::print(stderr, "tunfwd: {}\n", e.what());
    return 1;
  }
  const std::string txqueuelen = device::describe_tx_queue_len(a.devices.tx_queue_len);
  for (std::size_t i = 0; i < 2; ++i) {
    const auto& tun = devices->tun(i);
    fmt::print("{}: {} queue(s), mtu {}, txqueuelen {}, offloads: {}\n", tun.name(), tun.queue_count(), a.devices.mtu,
               txqueuelen, device::describe(tun.offloads()));
  }
  // Before any thread exists: setuid applies to the whole process, and nothing after this
  // point needs a privilege (the devices are open, configured and up).
  if (!a.user.empty()) {
    if (const auto error = os::drop_privileges(user); !error.empty()) {
      fmt::print(stderr, "tunfwd: --user {}: {}\n", a.user, error);
      return 1;
    }
    fmt::print("tunfwd: running as user {} (uid {}), no capabilities\n", a.user, ::getuid());
  }

  // The channel modes without a pool allocate a buffer per packet in the reader thread and
  // free it in the writer thread. With glibc's default trim threshold the arena's top went
  // back to the kernel and was faulted in again all the time (page faults and sysmalloc were
  // 13 % of sync-gso-channel's CPU); keep up to 64 MB of freed heap instead.
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  mallopt(M_TOP_PAD, 4 << 20);

  // Still before any thread exists, so every forwarding thread inherits the placement.
  if (const auto error = os::apply_cpu_placement(*placement); !error.empty()) {
    fmt::print(stderr, "tunfwd: --cpus {}: {}\n", a.cpus, error);
    return 1;
  }

  forward::Options options;
  options.mtu = static_cast<std::size_t>(a.devices.mtu);
  options.threads = threads;
  forward::Setup setup = devices->setup(loops, options);
  if (!devices->uring_fallback().empty())
    fmt::print(stderr, "tunfwd: io_uring unavailable ({}): {} reads and writes with a system call per packet\n",
               devices->uring_fallback(), mode->name);
  tunfwd::DecorationHandle decoration;
  try {
    std::string injected;
    decoration = tunfwd::decorate(setup, injected);
    if (!injected.empty()) fmt::print(stderr, "tunfwd: TEST-ONLY fault injection active: {}\n", injected);
  } catch (const std::exception& e) {
    fmt::print(stderr, "tunfwd: {}\n", e.what());
    return 2;
  }

  auto forwarder = mode->make(setup, *mode);
  fmt::print("tunfwd: mode {} ({}), {} ⇄ {}, threads {}{}{}\n", mode->name, mode->description, setup.first.name,
             setup.second.name, placement->pinned() ? "on " : "", placement->describe(),
             !mode->async ? ""
             : asked > threads
                 ? fmt::format(", {} event loops ({} asked for; one per direction is the most used)", threads, asked)
                 : fmt::format(", {} event loop(s)", threads));
  std::fflush(stdout);
  forward::Status status;
  {
    SignalThread signals(*forwarder);
    status = forwarder->run();
  }
  std::cout << forwarder->counters().format();
  std::cout.flush();
  const bool stats_written = a.stats_json.empty() || write_stats(stats, a.stats_json, *mode, *forwarder, status);
  if (!status.ok) {
    fmt::print(stderr, "tunfwd: stopped: {}\n", status.error);
    return 1;
  }
  return stats_written ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    Args a;
    auto& d = a.devices;
    CLI::App app{"tunfwd: forward packets between two TUN devices"};
    app.add_option("--mode", a.mode, "forwarding mode (see --list)");
    app.add_option("--iface1", d.names[0], "first TUN device")->capture_default_str();
    app.add_option("--ip1", d.ipv4[0], "IPv4 address of the first device (/24 if no prefix)")->capture_default_str();
    app.add_option("--iface2", d.names[1], "second TUN device")->capture_default_str();
    app.add_option("--ip2", d.ipv4[1], "IPv4 address of the second device (/24 if no prefix)")->capture_default_str();
    app.add_option("--ip1-6", d.ipv6[0], "IPv6 address of the first device (/64 if no prefix)");
    app.add_option("--ip2-6", d.ipv6[1], "IPv6 address of the second device (/64 if no prefix)");
    app.add_option("--threads", a.threads,
                   "async modes: event-loop threads; 2 gives each direction its own loop and thread "
                   "(default: the mode's, tunfwd --list --json loop_per_direction)");
    app.add_option("--queues", d.queues_flag, "queues per device for multi-queue modes (default 2)");
    app.add_option("--mtu", d.mtu, "MTU of both devices")->capture_default_str();
    app.add_option("--txqueuelen", d.tx_queue_len,
                   "packets each device queues for tunfwd before the kernel drops (default 0: the kernel's, 500)");
    app.add_option("--user", a.user,
                   "after opening the devices, drop to this user (from /etc/passwd) and every capability");
    app.add_option("--cpus", a.cpus,
                   "where forwarding threads run: auto (all on the highest allowed CPU when there are 2 or more; "
                   "modes measured faster unpinned are left to the scheduler), "
                   "none (scheduler decides), or a list such as 1 or 0,2-3")
        ->capture_default_str();
    app.add_option("--stats-json", a.stats_json, "on exit, write the counters as JSON to this file (tunfwd-stats/1)");
    app.add_flag("--list", a.list, "list the modes and exit");
    app.add_flag("--json", a.json, "with --list: every fact of every mode as JSON (tunfwd-modes/1)");
    CLI11_PARSE(app, argc, argv);
    if (a.list) return list_modes(a.json);
    if (a.json) {
      fmt::print(stderr, "tunfwd: --json goes with --list\n");
      return 2;
    }
    if (a.mode.empty()) {
      fmt::print(stderr, "tunfwd: --mode is required (tunfwd --list)\n");
      return 2;
    }
    return run(a);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tunfwd: %s\n", e.what());  // cannot throw, unlike fmt::print
    return 1;
  }
}

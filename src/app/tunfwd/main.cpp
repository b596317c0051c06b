// tunfwd: forwards packets between two TUN devices it creates, in one of the modes of the
// reference table (tunfwd --list). SIGINT/SIGTERM stop it and print the counters per
// direction; the exit status is non-zero when a device failed (e.g. deleted under it).
// --user NAME drops root and every capability once the devices are open (privileges.h).
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <fmt/format.h>

#include "device/fault_injection.h"
#include "device/tun_device.h"
#include "forward/cpu_placement.h"
#include "forward/mode.h"
#include "privileges.h"

namespace {

struct Args {
  std::string mode;
  std::string iface1 = "tun11", iface2 = "tun22";
  std::string ip1 = "10.0.1.1", ip2 = "10.0.2.1";
  std::string ip1_6, ip2_6;
  std::size_t threads = 1;
  std::size_t queues = 0;
  int mtu = 1500;
  std::string user;  // --user: drop to this user once the devices are open
  std::string cpus = "auto";  // --cpus: see forward/cpu_placement.h
  bool list = false;
};

// An address without a prefix means /24 (IPv4) or /64 (IPv6).
std::optional<std::string> with_prefix(const std::string& addr, int prefix) {
  if (addr.empty()) return std::nullopt;
  if (addr.find('/') != std::string::npos) return addr;
  return fmt::format("{}/{}", addr, prefix);
}

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

int list_modes() {
  for (const auto& m : forward::modes()) fmt::print("{:<24} {}\n", m.name, m.description);
  return 0;
}

int run(const Args& a) {
  const forward::Mode* mode = forward::find_mode(a.mode);
  if (!mode) {
    fmt::print(stderr, "tunfwd: unknown mode '{}' (tunfwd --list)\n", a.mode);
    return 2;
  }
  // Block the stop signals before any thread exists so only the signal thread receives them.
  sigset_t set = SignalThread::signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  tunfwd::User user;
  if (!a.user.empty()) {
    if (std::string error; !tunfwd::find_user(a.user, user, error)) {
      fmt::print(stderr, "tunfwd: --user {}: {}\n", a.user, error);
      return 2;
    }
  }

  std::string placement_error;
  const std::string cpus = a.cpus == "auto" && !mode->pin_by_default ? "none" : a.cpus;
  const auto placement = forward::parse_cpu_placement(cpus, forward::allowed_cpus(), placement_error);
  if (!placement) {
    fmt::print(stderr, "tunfwd: {}\n", placement_error);
    return 2;
  }

  const std::size_t queues = forward::queues_for(*mode, a.queues);
  std::unique_ptr<device::TunDevice> devs[2];
  const std::string names[2] = {a.iface1, a.iface2};
  const std::string v4[2] = {a.ip1, a.ip2};
  const std::string v6[2] = {a.ip1_6, a.ip2_6};
  try {
    for (int i = 0; i < 2; ++i) {
      device::TunConfig c;
      c.name = names[i];
      c.vnet_hdr = mode->vnet;
      c.queues = queues;
      c.mtu = a.mtu;
      c.ipv4 = with_prefix(v4[i], 24);
      c.ipv6 = with_prefix(v6[i], 64);
      devs[i] = device::TunDevice::open(c);
      fmt::print("{}: {} queue(s), mtu {}, offloads: {}\n", devs[i]->name(), devs[i]->queue_count(), a.mtu,
                 device::describe(devs[i]->offloads()));
    }
  } catch (const std::exception& e) {
    fmt::print(stderr, "tunfwd: {}\n", e.what());
    return 1;
  }
  if (const auto faults = device::fault::describe(); !faults.empty())
    fmt::print(stderr, "tunfwd: TEST-ONLY fault injection active: {}\n", faults);
  // Before any thread exists: setuid applies to the whole process, and nothing after this
  // point needs a privilege (the devices are open, configured and up).
  if (!a.user.empty()) {
    if (const auto error = tunfwd::drop_privileges(user); !error.empty()) {
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
  if (const auto error = forward::apply_cpu_placement(*placement); !error.empty()) {
    fmt::print(stderr, "tunfwd: --cpus {}: {}\n", a.cpus, error);
    return 1;
  }

  boost::asio::io_context io;
  std::vector<std::unique_ptr<device::AsyncBatchDevice>> async_devs;
  forward::Setup setup;
  setup.io = &io;
  setup.options.mtu = static_cast<std::size_t>(a.mtu);
  setup.options.threads = a.threads;
  for (int i = 0; i < 2; ++i) {
    forward::Endpoint& ep = i == 0 ? setup.first : setup.second;
    ep.name = devs[i]->name();
    ep.offloads = devs[i]->offloads();
    for (std::size_t q = 0; q < devs[i]->queue_count(); ++q) {
      ep.packet.push_back(&devs[i]->queue(q));
      ep.batch.push_back(&devs[i]->queue(q));
      if (mode->async) {
        async_devs.push_back(devs[i]->make_async(io, q));
        ep.async.push_back(async_devs.back().get());
      }
    }
  }

  auto forwarder = mode->make(setup);
  fmt::print("tunfwd: mode {} ({}), {} ⇄ {}, threads {}{}\n", mode->name, mode->description, setup.first.name,
             setup.second.name, placement->pinned() ? "on " : "", placement->describe());
  std::fflush(stdout);
  forward::Status status;
  {
    SignalThread signals(*forwarder);
    status = forwarder->run();
  }
  std::cout << forwarder->counters().format();
  if (!status.ok) {
    fmt::print(stderr, "tunfwd: stopped: {}\n", status.error);
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  CLI::App app{"tunfwd: forward packets between two TUN devices"};
  app.add_option("--mode", a.mode, "forwarding mode (see --list)");
  app.add_option("--iface1", a.iface1, "first TUN device")->capture_default_str();
  app.add_option("--ip1", a.ip1, "IPv4 address of the first device (/24 if no prefix)")->capture_default_str();
  app.add_option("--iface2", a.iface2, "second TUN device")->capture_default_str();
  app.add_option("--ip2", a.ip2, "IPv4 address of the second device (/24 if no prefix)")->capture_default_str();
  app.add_option("--ip1-6", a.ip1_6, "IPv6 address of the first device (/64 if no prefix)");
  app.add_option("--ip2-6", a.ip2_6, "IPv6 address of the second device (/64 if no prefix)");
  app.add_option("--threads", a.threads, "threads (async modes run one event loop thread)")->capture_default_str();
  app.add_option("--queues", a.queues, "queues per device for multi-queue modes (default 2)");
  app.add_option("--mtu", a.mtu, "MTU of both devices")->capture_default_str();
  app.add_option("--user", a.user, "after opening the devices, drop to this user (from /etc/passwd) and every capability");
  app.add_option("--cpus", a.cpus,
                 "where forwarding threads run: auto (all on the highest allowed CPU when there are 2 or more; "
                 "sync-normal is left unpinned), "
                 "none (scheduler decides), or a list such as 1 or 0,2-3")
      ->capture_default_str();
  app.add_flag("--list", a.list, "list the modes and exit");
  CLI11_PARSE(app, argc, argv);
  if (a.list) return list_modes();
  if (a.mode.empty()) {
    fmt::print(stderr, "tunfwd: --mode is required (tunfwd --list)\n");
    return 2;
  }
  return run(a);
}

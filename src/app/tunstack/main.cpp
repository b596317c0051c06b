// tunstack: a userspace TCP/IP stack behind one TUN. Every TCP connection and UDP flow the
// client opens through the TUN is terminated here and relayed over kernel sockets, from this
// process's network namespace, to the same address and port (src/stack, docs/stack.md).
// SIGINT/SIGTERM stop it; the counters are printed (and written with --stats-json) on exit.
#include <malloc.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "device/aligned_bytes.h"
#include "device/packet_io.h"
#include "device/tun_device.h"
#include "device/unique_fd.h"
#include "os/cpu_placement.h"
#include "os/open_file_limit.h"
#include "os/privileges.h"
#include "stack/counters.h"
#include "stack/kernel_sockets.h"
#include "stack/stack_loop.h"
#include "stack/tcp_engine.h"
#include "stack/udp_relay.h"
#include "tunstack/tun_sink.h"

namespace {

struct Args {
  std::string iface = "tun0";
  int mtu = 1500;
  std::uint32_t tx_queue_len = 0;  // --txqueuelen; 0 = the kernel's default
  std::string user;
  std::string stats_json;
  std::size_t max_connections = 65536;
  std::size_t max_udp_flows = 4096;
  std::uint32_t udp_idle_s = 60;
  std::string cpus = "auto";  // --cpus: see os/cpu_placement.h
};

constexpr std::uint64_t kTunToken = 0, kSignalToken = 1;

std::uint64_t now_ms() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
          .count());
}

stack::Readiness readiness(std::uint32_t events) {
  return {(events & (EPOLLIN | EPOLLRDHUP)) != 0, (events & EPOLLOUT) != 0, (events & (EPOLLERR | EPOLLHUP)) != 0};
}

bool add(int epoll_fd, int fd, std::uint64_t token) {
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = token;
  return ::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev) == 0;
}

int run(const Args& a) {
  // The stop signals arrive through a signalfd in the loop, never as handlers.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigprocmask(SIG_BLOCK, &signals, nullptr);

  os::User user;
  if (!a.user.empty()) {
    if (std::string error; !os::find_user(a.user, user, error)) {
      fmt::print(stderr, "tunstack: --user {}: {}\n", a.user, error);
      return 2;
    }
  }
  // One thread: "auto" pins it to the highest allowed CPU, as tunfwd's single-loop modes. Same
  // run, AMD EPYC 2 vCPU, 5 passes: upload 0.725 of direct pinned against 0.658 unpinned (the
  // scheduler otherwise moves the stack onto the CPU the client's iperf3 is sending from).
  std::string placement_error;
  const auto placement = os::parse_cpu_placement(a.cpus, os::allowed_cpus(), placement_error);
  if (!placement) {
    fmt::print(stderr, "tunstack: {}\n", placement_error);
    return 2;
  }
  if (const auto error = os::apply_cpu_placement(*placement); !error.empty()) {
    fmt::print(stderr, "tunstack: --cpus {}: {}\n", a.cpus, error);
    return 1;
  }
  std::ofstream stats_file;
  if (!a.stats_json.empty()) {
    stats_file.open(a.stats_json, std::ios::trunc);  // now, before --user takes the right away
    if (!stats_file) {
      fmt::print(stderr, "tunstack: --stats-json {}: cannot create the file\n", a.stats_json);
      return 2;
    }
  }

  std::unique_ptr<device::TunDevice> tun;
  try {
    device::TunConfig c;
    c.name = a.iface;
    c.vnet_hdr = true;  // TSO/USO: 64 KB super-packets both ways at any MTU
    c.mtu = a.mtu;
    c.tx_queue_len = a.tx_queue_len;
    tun = device::TunDevice::open(c);
  } catch (const std::exception& e) {
    fmt::print(stderr, "tunstack: {}\n", e.what());
    return 1;
  }
  fmt::print("{}: mtu {}, txqueuelen {}, offloads: {}; {}\n", tun->name(), a.mtu,
             device::describe_tx_queue_len(a.tx_queue_len), device::describe(tun->offloads()), placement->describe());
  if (!tun->offloads().vnet_hdr) {
    fmt::print(stderr, "tunstack: {}: the kernel granted no virtio-net header\n", tun->name());
    return 1;
  }

  device::UniqueFd epoll(::epoll_create1(EPOLL_CLOEXEC));
  device::UniqueFd sigfd(::signalfd(-1, &signals, SFD_CLOEXEC | SFD_NONBLOCK));
  const int tun_fd = tun->queue(0).fd();
  if (!epoll.valid() || !sigfd.valid() || !add(epoll.get(), tun_fd, kTunToken) ||
      !add(epoll.get(), sigfd.get(), kSignalToken)) {
    fmt::print(stderr, "tunstack: epoll set-up: {}\n", std::strerror(errno));
    return 1;
  }

  if (!a.user.empty()) {
    if (const auto error = os::drop_privileges(user); !error.empty()) {
      fmt::print(stderr, "tunstack: --user {}: {}\n", a.user, error);
      return 1;
    }
    fmt::print("tunstack: running as user {} (uid {}), no capabilities\n", a.user, ::getuid());
  }

  // One socket per connection or flow, plus a few of our own.
  std::string limit_error;
  const auto limit = os::raise_open_file_limit(a.max_connections + a.max_udp_flows + 64, limit_error);
  if (!limit_error.empty()) fmt::print(stderr, "tunstack: {} (connections beyond it are refused)\n", limit_error);
  if (limit.soft < a.max_connections + a.max_udp_flows)
    fmt::print(stderr,
               "tunstack: open files are limited to {} (hard limit {}): fewer than --max-connections {} + "
               "--max-udp-flows {}\n",
               limit.soft, limit.hard, a.max_connections, a.max_udp_flows);

  stack::StackCounters counters;
  stack::KernelSocketFactory sockets(epoll.get());
  tunstack::TunSink sink(tun_fd);
  stack::TcpOptionsConfig tcp_config;
  tcp_config.max_connections = a.max_connections;
  tcp_config.mss_v4 = static_cast<std::uint16_t>(a.mtu - 40);
  tcp_config.mss_v6 = static_cast<std::uint16_t>(a.mtu - 60);
  stack::TcpEngine tcp(sockets, sink, counters, tcp_config);
  stack::UdpRelay udp(sockets, sink, counters, {a.max_udp_flows, a.udp_idle_s * 1000});
  fmt::print("tunstack: relaying TCP and UDP from {}\n", tun->name());
  std::cout.flush();

  stack::StackLoop loop(tcp, udp, counters);
  // Page-aligned: the kernel copies every packet read into it, fastest to an aligned destination.
  const auto read_buffer = device::make_aligned_bytes(65536, device::kPageAlignment);
  std::array<epoll_event, 512> events{};
  bool stop = false;
  while (!stop) {
    const std::uint64_t deadline = loop.next_deadline();
    const std::uint64_t before = now_ms();
    const int timeout = deadline == 0 ? -1 : deadline <= before ? 0 : static_cast<int>(deadline - before);
    const int n = ::epoll_wait(epoll.get(), events.data(), static_cast<int>(events.size()), timeout);
    if (n < 0 && errno != EINTR) {
      fmt::print(stderr, "tunstack: epoll_wait: {}\n", std::strerror(errno));
      break;
    }
    const std::uint64_t now = now_ms();
    for (int i = 0; i < n; ++i) {
      const std::uint64_t token = events[static_cast<std::size_t>(i)].data.u64;
      const std::uint32_t ev = events[static_cast<std::size_t>(i)].events;
      if (token == kSignalToken) {
        stop = true;
      } else if (token == kTunToken) {
        for (int k = 0; k < stack::StackLoop::kReadBudget; ++k) {
          vnet::VnetHeader header;
          // Never blocking, whatever the fd's flags (TunDevice's queues are blocking fds): the
          // loop waits in epoll, and a read finding the queue empty ends the batch.
          const long len = device::read_packet(tun_fd, true, {read_buffer.get(), 65536}, &header, device::Wait::kNever);
          if (len == -EAGAIN) break;
          if (len < 0) {
            fmt::print(stderr, "tunstack: {}: read failed: {}\n", tun->name(), std::strerror(static_cast<int>(-len)));
            stop = true;
            break;
          }
          loop.on_packet(header, {read_buffer.get(), static_cast<std::size_t>(len)}, now);
        }
      } else {
        loop.on_socket(token, readiness(ev), now);
      }
    }
    if (loop.finish(now)) ::malloc_trim(0);
  }
  std::cout << counters.format();
  std::cout.flush();
  if (stats_file.is_open()) {
    stats_file << stack::to_json(counters).dump(2) << '\n';
    stats_file.close();
    if (!stats_file) {
      fmt::print(stderr, "tunstack: --stats-json {}: writing the counters failed\n", a.stats_json);
      return 1;
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  CLI::App app{"tunstack: a userspace TCP/IP stack behind a TUN, relaying to kernel sockets"};
  app.add_option("--iface", a.iface, "TUN device to create")->capture_default_str();
  app.add_option("--mtu", a.mtu, "MTU of the TUN (the MSS we advertise follows it)")
      ->capture_default_str()
      ->check(CLI::Range(1280, 65520));
  app.add_option("--txqueuelen", a.tx_queue_len,
                 "packets the TUN queues for the stack before the kernel drops (default 0: the kernel's, 500); "
                 "uploads arrive as 64 KB super-packets, a UDP sender's datagrams one by one");
  app.add_option("--user", a.user, "after opening the TUN, drop to this user (from /etc/passwd) and every capability");
  app.add_option("--stats-json", a.stats_json, "on exit, write the counters as JSON to this file (tunstack-stats/1)");
  app.add_option("--cpus", a.cpus,
                 "where the stack runs: auto (the highest allowed CPU when there are 2 or more), none (scheduler "
                 "decides), or a list such as 1 or 0,2-3")
      ->capture_default_str();
  app.add_option("--max-connections", a.max_connections, "TCP connections at most")->capture_default_str();
  app.add_option("--max-udp-flows", a.max_udp_flows, "UDP flows at most")->capture_default_str();
  app.add_option("--udp-idle", a.udp_idle_s, "seconds before an idle UDP flow is closed")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  try {
    return run(a);
  } catch (const std::exception& e) {
    fmt::print(stderr, "tunstack: {}\n", e.what());
    return 1;
  }
}

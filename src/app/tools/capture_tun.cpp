// capture_tun: records real iperf3 traffic as a TUN reader sees it, for fixtures/offload/.
//
// Two anonymous network namespaces (unshare(CLONE_NEWNET); they vanish with this process and
// its children, nothing is added to the root namespace), one TUN in each:
//
//   ns A: iperf3 client -> tbcapA (10.0.9.1 / fd00:9::1) ─┐ this program reads A, writes B
//   ns B: iperf3 server <- tbcapB (10.0.9.2 / fd00:9::2) ─┘ and reads B, writes A
//
// Every read from tbcapA (client -> server) that passes --min-length is dumped until
// --records are captured; forwarding goes on until the client finishes so the flow is real.
// With --offload both TUNs have IFF_VNET_HDR and TUNSETOFFLOAD(CSUM|TSO4|TSO6|USO4|USO6):
// reads are super-packets with their virtio_net_hdr (USER0 pcap) and are written to the other
// TUN unchanged. Without it, the kernel segments first and reads are plain packets (RAW pcap).
// Needs root (CAP_NET_ADMIN) and iperf3 and ip in PATH.
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "pcapio/link_type.h"
#include "pcapio/pcap_writer.h"
#include "vnet/vnet_header.h"

// Older kernel headers lack the USO bits (Linux 6.2, docs/offload.md §1).
#ifndef TUN_F_USO4
#define TUN_F_USO4 0x20
#endif
#ifndef TUN_F_USO6
#define TUN_F_USO6 0x40
#endif

namespace {

struct Options {
  int family = 4;
  std::string proto = "tcp";
  bool offload = false;
  std::size_t records = 24;
  std::size_t min_length = 1000;
  std::string out;
  unsigned gso_max_size = 8192;
  std::string amount = "2M";  // iperf3 -n
  std::string udp_rate = "20M";
  int udp_length = 1400;
};

[[noreturn]] void die(const std::string& what) {
  throw std::runtime_error(fmt::format("{}: {}", what, std::strerror(errno)));
}

// Runs a command to completion in the current namespace; fails loudly, since a half-set-up
// topology would capture nothing meaningful.
void run(const std::vector<std::string>& argv) {
  const pid_t pid = fork();
  if (pid < 0) die("fork");
  if (pid == 0) {
    std::vector<char*> args;
    args.reserve(argv.size() + 1);
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::string cmd;
    for (const auto& a : argv) cmd += a + " ";
    throw std::runtime_error("command failed: " + cmd);
  }
}

int open_tun(const std::string& name, bool offload) {
  const int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
  if (fd < 0) die("/dev/net/tun");
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI | (offload ? IFF_VNET_HDR : 0);
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) die("TUNSETIFF " + name);
  // docs/offload.md §1: the mask is per device; 0 keeps a plain TUN plain.
  const unsigned mask = offload ? (TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_USO4 | TUN_F_USO6) : 0;
  if (ioctl(fd, TUNSETOFFLOAD, mask) < 0) die("TUNSETOFFLOAD " + name);
  return fd;
}

// A fresh namespace with lo up and one configured TUN; returns the TUN fd.
int enter_namespace_with_tun(const Options& o, const std::string& name, const std::string& v4, const std::string& peer4,
                             const std::string& v6, const std::string& peer6) {
  if (unshare(CLONE_NEWNET) < 0) die("unshare(CLONE_NEWNET)");
  run({"ip", "link", "set", "lo", "up"});
  const int fd = open_tun(name, o.offload);
  // Caps super-packets so a few dozen records stay a few hundred KB.
  run({"ip", "link", "set", "dev", name, "gso_max_size", std::to_string(o.gso_max_size), "up"});
  // Addresses after "up": bringing a TUN up drops an IPv6 peer route added while it was down.
  run({"ip", "addr", "add", v4, "peer", peer4, "dev", name});
  run({"ip", "-6", "addr", "add", v6, "peer", peer6, "dev", name, "nodad"});
  return fd;
}

pid_t spawn(const std::vector<std::string>& argv, int stdout_fd) {
  const pid_t pid = fork();
  if (pid < 0) die("fork");
  if (pid == 0) {
    if (stdout_fd >= 0) dup2(stdout_fd, STDOUT_FILENO);
    std::vector<char*> args;
    args.reserve(argv.size() + 1);
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  return pid;
}

// Blocks until the server says it listens, so the client never races it.
void wait_for_listening(int fd) {
  std::string seen;
  char buf[512];
  while (seen.find("Server listening") == std::string::npos) {
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) throw std::runtime_error("iperf3 server exited before listening");
    seen.append(buf, static_cast<std::size_t>(n));
  }
}

std::size_t ip_length(std::size_t n, bool vnet) {
  return vnet ? (n >= vnet::kHeaderSize ? n - vnet::kHeaderSize : 0) : n;
}

int capture(const Options& o) {
  const int root_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  if (root_ns < 0) die("/proc/self/ns/net");
  const int tun_a = enter_namespace_with_tun(o, "tbcapA", "10.0.9.1", "10.0.9.2", "fd00:9::1", "fd00:9::2");
  const int ns_a = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  const int tun_b = enter_namespace_with_tun(o, "tbcapB", "10.0.9.2", "10.0.9.1", "fd00:9::2", "fd00:9::1");
  close(root_ns);  // never needed again: nothing here touches the root namespace

  const std::string server_addr = o.family == 4 ? "10.0.9.2" : "fd00:9::2";
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) < 0) die("pipe");
  const pid_t server = spawn({"iperf3", "-s", "-1", "--forceflush", "-B", server_addr}, pipe_fds[1]);
  close(pipe_fds[1]);

  pcapio::PcapWriter writer(o.out, o.offload ? pcapio::kLinkUser0 : pcapio::kLinkRaw);
  pid_t client = -1;
  std::array<pollfd, 2> fds{pollfd{tun_a, POLLIN, 0}, pollfd{tun_b, POLLIN, 0}};
  std::vector<std::uint8_t> buf(vnet::kHeaderSize + 65536);
  int rc = 0;
  try {
    // The server must listen before the client connects; forwarding starts with the client.
    wait_for_listening(pipe_fds[0]);
    if (setns(ns_a, CLONE_NEWNET) < 0) die("setns A");
    std::vector<std::string> cargs = {"iperf3", "-c", server_addr, "-n", o.amount, "--connect-timeout", "3000"};
    if (o.proto == "udp") {
      cargs.insert(cargs.end(), {"-u", "-l", std::to_string(o.udp_length), "-b", o.udp_rate});
    }
    const int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
    client = spawn(cargs, devnull);
    close(devnull);
    int client_status = 0;
    while (true) {
      const int n = poll(fds.data(), fds.size(), 200);
      if (n < 0 && errno != EINTR) die("poll");
      for (std::size_t i = 0; n > 0 && i < fds.size(); ++i) {
        if (!(fds[i].revents & POLLIN)) continue;
        const ssize_t len = read(fds[i].fd, buf.data(), buf.size());
        if (len <= 0) continue;
        const auto size = static_cast<std::size_t>(len);
        if (i == 0 && writer.records() < o.records && ip_length(size, o.offload) >= o.min_length) {
          timeval now{};
          gettimeofday(&now, nullptr);
          writer.write(std::span(buf).first(size), now);
        }
        // Same bytes, vnet header included, to the peer TUN (same offloads on both).
        if (write(fds[1 - i].fd, buf.data(), size) < 0 && errno != EIO) die("write TUN");
      }
      if (waitpid(client, &client_status, WNOHANG) == client) break;
    }
    client = -1;
    if (!WIFEXITED(client_status) || WEXITSTATUS(client_status) != 0) rc = 2;
  } catch (...) {
    if (client > 0) {
      kill(client, SIGTERM);
      waitpid(client, nullptr, 0);
    }
    kill(server, SIGTERM);
    waitpid(server, nullptr, 0);
    throw;
  }
  // The server exits after one test (-1); stop it by PID in case it lingers.
  kill(server, SIGTERM);
  waitpid(server, nullptr, 0);
  writer.close();
  fmt::print("{}: {} records ({}), client {}\n", o.out, writer.records(), pcapio::link_type_name(writer.linktype()),
             rc == 0 ? "ok" : "failed");
  return rc;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    Options o;
    CLI::App app{"capture_tun: iperf3 through two TUNs in anonymous namespaces, reads of one TUN to a pcap"};
    app.add_option("--family", o.family, "4 or 6")->check(CLI::IsMember({4, 6}));
    app.add_option("--proto", o.proto, "tcp or udp")->check(CLI::IsMember({"tcp", "udp"}));
    app.add_flag("--offload", o.offload, "IFF_VNET_HDR + TUNSETOFFLOAD(CSUM|TSO4|TSO6|USO4|USO6), USER0 pcap");
    app.add_option("--records", o.records, "records to keep");
    app.add_option("--min-length", o.min_length, "keep only IP packets at least this long (skips control traffic)");
    app.add_option("--gso-max-size", o.gso_max_size, "gso_max_size of both TUNs");
    app.add_option("-n,--bytes", o.amount, "iperf3 -n");
    app.add_option("--udp-rate", o.udp_rate, "iperf3 -b for UDP");
    app.add_option("--udp-length", o.udp_length, "iperf3 -l for UDP");
    app.add_option("--out", o.out, "output pcap")->required();
    CLI11_PARSE(app, argc, argv);
    return capture(o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "capture_tun: %s\n", e.what());  // cannot throw, unlike fmt::print
    return 1;
  }
}

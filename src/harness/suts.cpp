#include "harness/suts.h"

#include "harness/label.h"

namespace harness::suts {

namespace {

const std::string kClient4 = std::string(kClientAddress) + "/24";
const std::string kServer4 = std::string(kServerAddress) + "/24";
const std::string kClient6 = std::string(kClientAddress6) + "/64";
const std::string kServer6 = std::string(kServerAddress6) + "/64";

// The client side's interface: the client address, routes to the server's prefixes.
Interface client_side(std::string name, std::string via4 = {}, std::string via6 = {}) {
  return {"a",
          std::move(name),
          {kClient4, kClient6},
          {{"10.0.2.0/24", std::move(via4)}, {"fd00:2::/64", std::move(via6)}},
          {}};
}
Interface server_side(std::string name, std::string via4 = {}, std::string via6 = {}) {
  return {"b",
          std::move(name),
          {kServer4, kServer6},
          {{"10.0.1.0/24", std::move(via4)}, {"fd00:1::/64", std::move(via6)}},
          {}};
}

}  // namespace

SutSpec kernel_veth() {
  SutSpec s;
  s.kind = "kernel-veth";
  s.implementation = kKernelImplementation;
  s.description = "kernel veth pair between the client and server namespaces (the direct path)";
  s.namespaces = {"a", "b"};
  s.veths = {{client_side("veth-a"), server_side("veth-b")}};
  return s;
}

SutSpec kernel_loopback() {
  SutSpec s;
  s.kind = "kernel-loopback";
  s.implementation = kKernelImplementation;
  s.description = "client and server in one namespace over 127.0.0.1";
  s.namespaces = {"a"};
  s.endpoints = {"a", "a", "127.0.0.1", "::1"};
  return s;
}

SutSpec kernel_routed() {
  SutSpec s;
  s.kind = "kernel-routed";
  s.implementation = kKernelImplementation;
  s.description = "kernel IP forwarding in fwd between two veth pairs (the hop count of a forwarder or stack)";
  s.namespaces = {"a", "fwd", "b"};
  s.sysctls = {{"fwd", "net.ipv4.ip_forward=1"}, {"fwd", "net.ipv6.conf.all.forwarding=1"}};
  s.veths = {
      {client_side("veth-a", "10.0.1.2", "fd00:1::2"), {"fwd", "veth-fa", {"10.0.1.2/24", "fd00:1::2/64"}, {}, {}}},
      {{"fwd", "veth-fb", {"10.0.2.2/24", "fd00:2::2/64"}, {}, {}}, server_side("veth-b", "10.0.2.2", "fd00:2::2")}};
  return s;
}

SutSpec forwarder(std::vector<std::string> argv, std::string stats_format) {
  SutSpec s;
  s.kind = "forwarder";
  s.description = "a forwarder in fwd that creates tun11 and tun22, moved to the client and server namespaces";
  s.namespaces = {"fwd", "a", "b"};
  // The kernel greets a new IPv6 link with router solicitations and MLD reports; in fwd those
  // would be forwarded to the peer TUN while the harness is still moving it (EIO, a counted drop
  // before the measurement starts). The TUNs get IPv6 in a and b, once both are there.
  s.sysctls = {{"fwd", "net.ipv6.conf.all.disable_ipv6=1"},
               {"fwd", "net.ipv6.conf.default.disable_ipv6=1"},
               {"a", "net.ipv6.conf.default.disable_ipv6=1"},
               {"b", "net.ipv6.conf.default.disable_ipv6=1"}};
  s.processes = {{"forwarder", std::move(argv), "fwd", true, {}}};
  s.devices = {{"forwarder", "fwd", client_side("tun11")}, {"forwarder", "fwd", server_side("tun22")}};
  s.stats_format = std::move(stats_format);
  return s;
}

SutSpec stack(std::vector<std::string> argv, StackShape shape) {
  SutSpec s;
  s.kind = "stack";
  s.description = "a userspace stack in fwd behind the client's " + shape.device + ", relaying over kernel sockets";
  s.namespaces = {"a", "fwd", "b"};
  s.veths = {
      {{"fwd", "veth-fb", {"10.0.2.2/24", "fd00:2::2/64"}, {}, {}}, {"b", "veth-b", {kServer4, kServer6}, {}, {}}}};
  SutProcess p{"stack", std::move(argv), "fwd", true, {}, shape.stop_grace_ms};
  s.processes = {std::move(p)};
  if (shape.created_in == "fwd") {
    s.devices = {{"stack", "fwd", client_side(shape.device)}};
  } else {
    s.devices = {{"stack", shape.created_in, {shape.created_in, shape.device, {}, {}, {}}}};
  }
  s.stats_format = std::move(shape.stats_format);
  s.guard = TrafficGuard{"a", shape.device, 0.95};
  return s;
}

std::vector<std::string> stack_names() { return {"ours", "pasta", "pasta-m9000", "slirp4netns"}; }

std::optional<SutSpec> builtin_stack(const std::string& name, const std::string& tunstack) {
  if (name == "ours") {
    auto s = stack({tunstack, "--iface", "tun0", "--mtu", "{mtu}", "--stats-json", "{stats_json}"},
                   {"tun0", "fwd", "tunstack-stats/1", 3000});
    s.description = "tunstack: our userspace TCP/IP stack behind tun0";
    s.implementation = kOurImplementation;
    return s;
  }
  if (name == "pasta" || name == "pasta-m9000") {
    // pasta joins a's namespace, makes tap0 there and configures it: the client keeps 10.0.1.1,
    // its default route goes to pasta (whose own namespace has no route off the machine).
    std::vector<std::string> argv = {
        "pasta",        "--runas",  "0:0",     "-f",         "-q",           "--netns", "{netns_path:a}",
        "--config-net", "-I",       "tap0",    "-a",         kClientAddress, "-n",      "24",
        "-g",           "10.0.1.2", "-i",      "veth-fb",    "-4",           "-t",      "none",
        "-u",           "none",     "-T",      "none",       "-U",           "none",    "--no-dhcp",
        "--no-dhcpv6",  "--no-ndp", "--no-ra", "--no-map-gw"};
    const bool m9000 = name == "pasta-m9000";
    // Debian's passt (git 2023-03-09) stalls uploads at its default MTU of 65520: it acknowledges
    // client data once written to its socket, drops what a full socket did not take, sends one
    // duplicate ACK where the client needs three, and keeps no out-of-order data, so each such
    // loss waits out the client's doubling retransmission timer (docs/stack.md §Peers). At MTU
    // 9000 with Reno on its socket the socket keeps up in most runs: the fair upload figure,
    // at a third of its download.
    if (m9000) argv.insert(argv.end(), {"-m", "9000"});
    auto s = stack(std::move(argv), {"tap0", "a", "", 500});
    if (m9000) s.sysctls.emplace_back("fwd", "net.ipv4.tcp_congestion_control=reno");
    s.description = m9000 ? "pasta at MTU 9000, Reno on its sockets: the recipe that avoids its upload stalls"
                          : "pasta (Debian passt): tap0 in the client namespace, TCP translated onto kernel sockets";
    s.implementation = "pasta";
    return s;
  }
  if (name == "slirp4netns") {
    // slirp's own network inside a is 10.0.1.0/24: the client becomes 10.0.1.100, its default
    // route goes to slirp at 10.0.1.2.
    auto s = stack({"slirp4netns", "--configure", "--mtu=65520", "--disable-host-loopback", "--cidr=10.0.1.0/24",
                    "--netns-type=path", "{netns_path:a}", "tap0"},
                   {"tap0", "a", "", 500});
    s.description = "slirp4netns (libslirp): tap0 in the client namespace";
    s.implementation = "slirp4netns";
    return s;
  }
  return std::nullopt;
}

std::vector<std::string> baseline_names() { return {"veth", "loopback", "routed"}; }

std::optional<SutSpec> baseline(const std::string& name) {
  if (name == "veth") return kernel_veth();
  if (name == "loopback") return kernel_loopback();
  if (name == "routed") return kernel_routed();
  return std::nullopt;
}

}  // namespace harness::suts

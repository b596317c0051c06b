#include "harness/suts.h"

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
  s.description = "kernel veth pair between the client and server namespaces (the direct path)";
  s.namespaces = {"a", "b"};
  s.veths = {{client_side("veth-a"), server_side("veth-b")}};
  return s;
}

SutSpec kernel_loopback() {
  SutSpec s;
  s.kind = "kernel-loopback";
  s.description = "client and server in one namespace over 127.0.0.1";
  s.namespaces = {"a"};
  s.endpoints = {"a", "a", "127.0.0.1", "::1"};
  return s;
}

SutSpec kernel_routed() {
  SutSpec s;
  s.kind = "kernel-routed";
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

std::vector<std::string> baseline_names() { return {"veth", "loopback", "routed"}; }

std::optional<SutSpec> baseline(const std::string& name) {
  if (name == "veth") return kernel_veth();
  if (name == "loopback") return kernel_loopback();
  if (name == "routed") return kernel_routed();
  return std::nullopt;
}

}  // namespace harness::suts

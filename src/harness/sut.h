#pragma once
// The system under test as a description: which namespaces a measurement needs, what the harness
// wires itself (veth pairs, sysctls), which processes it starts (and where, with which
// arguments), when each is ready, which devices they create and where those go, which of them
// are sampled for CPU and memory, where the iperf3 client and server run, and which kernel
// baseline the row is compared with. The harness has no branch per kind of system: a forwarder
// row, a kernel baseline and any new shape are all one SutSpec (built-ins in suts.h; a JSON file
// for `tunbench run --sut`). docs/architecture.md, "Adding a system under test".
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace harness {

// Namespaces are named by role: "a" holds the iperf3 client's side, "b" the server's side and
// "fwd" whatever sits between (a forwarder, a stack). A measurement creates the roles its spec
// lists as tb-<role>-<run id>-<n>, and always deletes them.
inline constexpr const char* kRoles[] = {"a", "fwd", "b"};

struct Route {
  std::string prefix{};  // "10.0.2.0/24", "fd00:2::/64", "default"
  std::string via{};     // gateway; "" = on-link through the interface
};

// One network interface the harness configures in one namespace: addresses (IPv6 ones without
// duplicate address detection), MTU, up, then routes. IPv6 is switched on for the interface
// when it has an IPv6 address.
struct Interface {
  std::string ns{};                      // role
  std::string name{};                    // "veth-a", "tun11"
  std::vector<std::string> addresses{};  // CIDR: "10.0.1.1/24", "fd00:1::1/64"
  std::vector<Route> routes{};
  std::optional<int> mtu{};
};

struct VethPair {
  Interface a{};
  Interface b{};
};

// A device the system under test creates itself (a TUN, a tap). The harness waits until it is
// up in `created_in`, then moves it to `iface.ns` (when different) and configures it as
// `iface` says; an Interface without addresses is left as the system configured it.
struct CreatedDevice {
  std::string by{};          // the SutProcess that creates it (its readiness waits for the device)
  std::string created_in{};  // role
  Interface iface{};
};

struct SutProcess {
  std::string name{};               // "forwarder", "stack", "socks"
  std::vector<std::string> argv{};  // placeholders: see expand_placeholders()
  std::string ns{};                 // role it runs in
  bool sampled = true;              // its process tree counts in the row's CPU and memory
  std::optional<int> ready_port{};  // also ready only once this TCP port listens in its namespace
  int stop_grace_ms = 3000;         // SIGINT, then SIGTERM and SIGKILL this far apart
};

// The device the client's traffic must cross: a check that the system under test really carried
// what iperf3 measured (a shortcut around it cannot produce a figure).
struct TrafficGuard {
  std::string ns{};         // role of the namespace holding the device
  std::string device{};     // "tun0"
  double min_share = 0.95;  // of iperf3's bytes that the device's own counters must show
};

// Where iperf3 runs and what the client connects to.
struct Endpoints {
  std::string client_ns = "a";
  std::string server_ns = "b";
  std::string server_address = "10.0.2.1";
  std::string server_address6 = "fd00:2::1";
};

struct SutSpec {
  std::string kind{};         // "kernel-veth", "forwarder", …: what the row is, for reports and profiles
  std::string description{};  // one line, for `tunbench list`
  // Which implementation the row measures and the mode of ours it mirrors (harness/label.h):
  // "tunbench" + "sync-gso" for a tunfwd mode, "kernel" for a baseline, "tun-rs" + "sync-gso" for
  // --forwarder 'tun-rs/sync-gso=…'. The chart colours rows by the first and pairs them by the
  // second. "" = not named: `tunbench run` then names it after the row's label.
  std::string implementation{};
  std::string mode{};                                          // "" = none
  std::vector<std::string> namespaces{};                       // roles, created in this order
  std::vector<std::pair<std::string, std::string>> sysctls{};  // (role, "key=value"), before any wiring
  std::vector<VethPair> veths{};
  std::vector<SutProcess> processes{};  // started in order, each ready before the next starts
  std::vector<CreatedDevice> devices{};
  Endpoints endpoints{};
  // The row whose sample of the same pass divides this row's Gbps (the ratio): a kind.
  std::string compare_with = "kernel-veth";
  // The main process writes its counters to {stats_json} in this format on exit ("" = none).
  std::string stats_format{};
  std::optional<TrafficGuard> guard{};

  bool has_processes() const { return !processes.empty(); }
  bool sampled() const;
  // Throws std::invalid_argument naming the first inconsistency (unknown role, a device created
  // by no process, an empty argv, a route without prefix…).
  void validate() const;
};

// Replaces {ns:ROLE}, {netns_path:ROLE} (/run/netns/NAME, for tools that take a path),
// {stats_json}, {log_dir} and the values of SutInstance's `extra` (e.g. {mtu}) in `argv`; throws
// std::invalid_argument naming an unknown one.
std::vector<std::string> expand_placeholders(const std::vector<std::string>& argv,
                                             const std::map<std::string, std::string>& values);

void to_json(nlohmann::json& j, const SutSpec& s);
// Reads a description (format tunbench-sut/1); throws with the field that was wrong.
void from_json(const nlohmann::json& j, SutSpec& s);

}  // namespace harness

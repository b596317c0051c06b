#pragma once
// The systems under test tunbench ships, as descriptions (sut.h): the kernel baselines and the
// forwarder shape (two TUNs created by the forwarder, moved to the client and server sides).
#include <optional>
#include <string>
#include <vector>

#include "harness/sut.h"

namespace harness {

// The test addresses: unique-local / private, never routed out of the namespaces.
inline constexpr const char* kClientAddress = "10.0.1.1";
inline constexpr const char* kServerAddress = "10.0.2.1";
inline constexpr const char* kClientAddress6 = "fd00:1::1";
inline constexpr const char* kServerAddress6 = "fd00:2::1";

namespace suts {

// a ── veth pair ── b: the direct kernel path every row is divided by.
SutSpec kernel_veth();
// Client and server in a, over 127.0.0.1.
SutSpec kernel_loopback();
// a ── veth ── fwd (kernel IP forwarding) ── veth ── b: the same hop count as a forwarder or a
// stack in fwd, with the kernel doing the work.
SutSpec kernel_routed();

// A forwarder run in fwd that creates tun11 and tun22 itself (tunfwd, or another project's
// binary); once both are up they move to a (10.0.1.1/24) and b (10.0.2.1/24), with routes to
// each other and no default route. `stats_format`: the format it writes to {stats_json}
// ("tunfwd-stats/1" for tunfwd), or "" when it writes none.
SutSpec forwarder(std::vector<std::string> argv, std::string stats_format = {});

// A userspace stack (tunstack, pasta, slirp4netns, …): it runs in fwd and reaches the server in
// b over a veth (fwd 10.0.2.2/24, fd00:2::2/64) with its own kernel sockets; its device is the
// client's way out of a. Compared with the direct veth path of the same pass; iperf3's bytes must
// show on the device's own counters (TrafficGuard).
struct StackShape {
  std::string device = "tun0";
  // Where the stack creates the device: "fwd" (the harness then moves it to a and gives it the
  // client address and routes to the server's prefixes), or "a" (a stack that makes its own tap
  // in the client namespace and configures it).
  std::string created_in = "fwd";
  std::string stats_format{};
  int stop_grace_ms = 3000;
};
SutSpec stack(std::vector<std::string> argv, StackShape shape);

// The stacks --stacks names: "ours" (tunstack at `tunstack`, TUN MTU {mtu}), "pasta" and
// "slirp4netns" (Debian's passt and slirp4netns, each at its default MTU of 65520: their best
// case). IPv4.
std::vector<std::string> stack_names();
std::optional<SutSpec> builtin_stack(const std::string& name, const std::string& tunstack);

// The baselines --baselines names: "veth", "loopback", "routed".
std::vector<std::string> baseline_names();
std::optional<SutSpec> baseline(const std::string& name);

}  // namespace suts
}  // namespace harness

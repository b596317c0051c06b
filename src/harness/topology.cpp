#include "harness/topology.h"

#include <thread>

#include <fmt/format.h>

#include "harness/command.h"
#include "harness/interrupt.h"
#include "harness/process.h"
#include "harness/run_state.h"

namespace harness {
namespace {

// True when `dev` is listed by `ip -o link` output with the UP flag.
bool device_up(const std::string& ip_link_output, const std::string& dev) {
  const auto pos = ip_link_output.find(": " + dev + ": <");
  if (pos == std::string::npos) return false;
  const auto flags_end = ip_link_output.find('>', pos);
  const auto flags = ip_link_output.substr(pos, flags_end - pos);
  return flags.find(",UP") != std::string::npos || flags.find("<UP") != std::string::npos;
}

}  // namespace

Topology::Topology(Layout layout, const std::string& suffix, RunState* state)
    : layout_(layout), state_(state), fwd_("tb-fwd-" + suffix), a_("tb-a-" + suffix), b_("tb-b-" + suffix) {
  try {
    if (layout_ == Layout::forwarder) {
      add_namespace(fwd_);
      // The kernel greets a new IPv6 link with router solicitations and MLD reports; in tb-fwd
      // those would be forwarded to the peer TUN while tunbench is still moving it (EIO, a
      // counted drop before the measurement starts). The TUNs get IPv6 in tb-a/tb-b instead.
      run_checked({"sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1"}, fwd_);
    }
    add_namespace(a_);
    if (layout_ != Layout::loopback) add_namespace(b_);
    if (layout_ == Layout::forwarder) {
      // Likewise tb-a/tb-b would send router solicitations the moment one TUN is up there while
      // the other is still on its way: IPv6 is switched on per device once both are up.
      for (const auto& ns : {a_, b_}) run_checked({"sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1"}, ns);
    }
    if (layout_ == Layout::veth) wire_veth();
  } catch (...) {
    teardown();
    throw;
  }
}

Topology::~Topology() { teardown(); }

void Topology::teardown() noexcept {
  while (!undo_.empty()) {
    try {
      undo_.back()();
    } catch (...) {
      // Keep going: one failed step must not leave the other namespaces behind.
    }
    undo_.pop_back();
  }
}

void Topology::add_namespace(const std::string& name) {
  run_checked({"ip", "netns", "add", name});
  // Recorded before anything else can fail, so a killed run leaves a trace for `cleanup`.
  if (state_) state_->add_namespace(name);
  undo_.push_back([this, name] {
    // Deleting the namespace also deletes the virtual devices (veth, moved TUNs) inside it.
    run_command({"ip", "netns", "del", name});
    if (state_) state_->remove_namespace(name);
  });
  ip(name, {"link", "set", "lo", "up"});
}

void Topology::ip(const std::string& ns, std::vector<std::string> args) {
  args.insert(args.begin(), {"ip", "-n", ns});
  run_checked(args);
}

void Topology::wire_veth() {
  ip(a_, {"link", "add", "veth-a", "type", "veth", "peer", "name", "veth-b", "netns", b_});
  ip(a_, {"addr", "add", std::string(kClientAddress) + "/24", "dev", "veth-a"});
  ip(b_, {"addr", "add", std::string(kServerAddress) + "/24", "dev", "veth-b"});
  ip(a_, {"link", "set", "veth-a", "up"});
  ip(b_, {"link", "set", "veth-b", "up"});
  // Different /24s on each end, like the TUN topology: routes point at the device, no gateway.
  ip(a_, {"route", "add", "10.0.2.0/24", "dev", "veth-a"});
  ip(b_, {"route", "add", "10.0.1.0/24", "dev", "veth-b"});
  // nodad: a tentative address would refuse to bind for a second or two.
  ip(a_, {"addr", "add", std::string(kClientAddress6) + "/64", "dev", "veth-a", "nodad"});
  ip(b_, {"addr", "add", std::string(kServerAddress6) + "/64", "dev", "veth-b", "nodad"});
  ip(a_, {"route", "add", "fd00:2::/64", "dev", "veth-a"});
  ip(b_, {"route", "add", "fd00:1::/64", "dev", "veth-b"});
}

void Topology::configure_tun(const std::string& ns, const std::string& dev, const std::string& cidr,
                             const std::string& peer_net) {
  ip(fwd_, {"link", "set", dev, "netns", ns});
  // Moving a device drops its addresses and takes it down: configure it again on arrival.
  ip(ns, {"addr", "add", cidr, "dev", dev});
  ip(ns, {"link", "set", dev, "up"});
  ip(ns, {"route", "replace", peer_net, "dev", dev});
}

void Topology::enable_ipv6(const std::string& ns, const std::string& dev, const std::string& cidr6,
                           const std::string& peer_net6) {
  run_checked({"sysctl", "-qw", "net.ipv6.conf." + dev + ".disable_ipv6=0"}, ns);
  // IPv6 routes only after the link is up: bringing a TUN up drops IPv6 routes added before.
  ip(ns, {"addr", "add", cidr6, "dev", dev, "nodad"});
  ip(ns, {"route", "replace", peer_net6, "dev", dev});
}

void Topology::adopt_tun_devices(Process& forwarder, const std::filesystem::path& forwarder_stderr,
                                 std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const auto explain = [&](const std::string& what) {
    const auto err = tail_lines(read_file(forwarder_stderr.string()), 20);
    return fmt::format("forwarder `{}` {}{}", forwarder.name(), what,
                       err.empty() ? " (no stderr output)" : ":\n" + err);
  };
  for (;;) {
    throw_if_interrupted();
    if (!forwarder.running())
      throw std::runtime_error(explain(fmt::format("exited with status {} before creating tun11/tun22",
                                                   forwarder.exit_status().value_or(-1))));
    const auto links = run_command({"ip", "-n", fwd_, "-o", "link", "show"});
    // Both UP: the forwarder has finished configuring them (it brings them up last).
    if (device_up(links.out, "tun11") && device_up(links.out, "tun22")) break;
    if (std::chrono::steady_clock::now() >= deadline)
      throw std::runtime_error(explain(fmt::format("did not create and bring up tun11 and tun22 in {} within {} ms",
                                                   fwd_, timeout.count())));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  configure_tun(a_, "tun11", std::string(kClientAddress) + "/24", "10.0.2.0/24");
  configure_tun(b_, "tun22", std::string(kServerAddress) + "/24", "10.0.1.0/24");
  enable_ipv6(a_, "tun11", std::string(kClientAddress6) + "/64", "fd00:2::/64");
  enable_ipv6(b_, "tun22", std::string(kServerAddress6) + "/64", "fd00:1::/64");
}

}  // namespace harness

#include "harness/topology.h"

#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "harness/command.h"
#include "harness/run_state.h"

namespace harness {
namespace {

bool is_ipv6(const std::string& cidr) { return cidr.find(':') != std::string::npos; }

bool route_is_ipv6(const Route& r) { return is_ipv6(r.prefix) || (r.prefix == "default" && is_ipv6(r.via)); }

// True when `dev` is listed by `ip -o link` output with the UP flag.
bool listed_up(const std::string& ip_link_output, const std::string& dev) {
  const auto pos = ip_link_output.find(": " + dev + ": <");
  if (pos == std::string::npos) return false;
  const auto flags_end = ip_link_output.find('>', pos);
  const auto flags = ip_link_output.substr(pos, flags_end - pos);
  return flags.find(",UP") != std::string::npos || flags.find("<UP") != std::string::npos;
}

}  // namespace

Topology::Topology(const SutSpec& spec, const std::string& suffix, RunState* state)
    : endpoints_(spec.endpoints), state_(state), suffix_(suffix) {
  spec.validate();
  try {
    for (const auto& role : spec.namespaces) add_namespace(role);
    for (const auto& [role, setting] : spec.sysctls) run_checked({"sysctl", "-qw", setting}, ns(role));
    for (const auto& v : spec.veths) {
      ip(ns(v.a.ns), {"link", "add", v.a.name, "type", "veth", "peer", "name", v.b.name, "netns", ns(v.b.ns)});
      configure_link(v.a);
      configure_link(v.b);
      configure_ipv6(v.a);
      configure_ipv6(v.b);
    }
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

const std::string& Topology::ns(const std::string& role) const {
  const auto it = names_.find(role);
  if (it == names_.end()) throw std::invalid_argument(fmt::format("no namespace for role '{}' in this topology", role));
  return it->second;
}

std::map<std::string, std::string> Topology::placeholders() const {
  std::map<std::string, std::string> values;
  for (const auto& [role, name] : names_) {
    values["ns:" + role] = name;
    values["netns_path:" + role] = "/run/netns/" + name;
  }
  return values;
}

void Topology::add_namespace(const std::string& role) {
  const std::string name = fmt::format("tb-{}-{}", role, suffix_);
  run_checked({"ip", "netns", "add", name});
  names_[role] = name;
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

void Topology::configure_link(const Interface& i) {
  const auto& n = ns(i.ns);
  for (const auto& a : i.addresses)
    if (!is_ipv6(a)) ip(n, {"addr", "add", a, "dev", i.name});
  if (i.mtu) ip(n, {"link", "set", i.name, "mtu", std::to_string(*i.mtu)});
  ip(n, {"link", "set", i.name, "up"});
  for (const auto& r : i.routes) {
    if (route_is_ipv6(r)) continue;
    std::vector<std::string> args{"-4", "route", "replace", r.prefix};
    if (!r.via.empty()) args.insert(args.end(), {"via", r.via});
    args.insert(args.end(), {"dev", i.name});
    ip(n, args);
  }
}

void Topology::configure_ipv6(const Interface& i) {
  bool any = false;
  for (const auto& a : i.addresses) any = any || is_ipv6(a);
  if (!any) return;
  const auto& n = ns(i.ns);
  run_checked({"sysctl", "-qw", "net.ipv6.conf." + i.name + ".disable_ipv6=0"}, n);
  // nodad: a tentative address would refuse to bind for a second or two.
  for (const auto& a : i.addresses)
    if (is_ipv6(a)) ip(n, {"addr", "add", a, "dev", i.name, "nodad"});
  // Routes only now: bringing a TUN up drops IPv6 routes added before.
  for (const auto& r : i.routes) {
    if (!route_is_ipv6(r)) continue;
    std::vector<std::string> args{"-6", "route", "replace", r.prefix};
    if (!r.via.empty()) args.insert(args.end(), {"via", r.via});
    args.insert(args.end(), {"dev", i.name});
    ip(n, args);
  }
}

bool Topology::device_up(const std::string& role, const std::string& device) const {
  const auto links = run_command({"ip", "-n", ns(role), "-o", "link", "show"});
  return listed_up(links.out, device);
}

Topology::DeviceBytes Topology::device_bytes(const std::string& role, const std::string& device) const {
  const auto text = run_checked({"ip", "-n", ns(role), "-s", "-j", "link", "show", "dev", device});
  const auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_array() || j.empty() || !j[0].contains("stats64"))
    throw std::runtime_error(fmt::format("ip -s -j link show dev {} in {}: no counters", device, ns(role)));
  const auto& stats = j[0]["stats64"];
  return {stats.at("rx").value("bytes", std::uint64_t{0}), stats.at("tx").value("bytes", std::uint64_t{0})};
}

void Topology::adopt(const std::vector<CreatedDevice>& devices) {
  for (const auto& d : devices) {
    if (d.created_in != d.iface.ns) ip(ns(d.created_in), {"link", "set", d.iface.name, "netns", ns(d.iface.ns)});
    // Moving a device drops its addresses and takes it down: configure it again on arrival. A
    // device without addresses in the description is the system's to configure.
    if (!d.iface.addresses.empty() || d.created_in != d.iface.ns) configure_link(d.iface);
  }
  for (const auto& d : devices) configure_ipv6(d.iface);
}

}  // namespace harness

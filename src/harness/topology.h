#pragma once
// The network namespaces of one measurement, built from a system-under-test description
// (sut.h), created fresh and always removed (reverse order of creation, also on exceptions and
// signals through the destructor). Nothing is configured in the root namespace.
//
// Topology knows no kind of system: it creates the roles the spec lists, applies its sysctls,
// wires its veth pairs, and moves and configures the devices the system created (adopt()). A TUN
// fd stays bound to its device across a move, so a forwarder in fwd keeps forwarding between
// devices that now live in a and b, and the kernel can no longer short-cut a → b locally.
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "harness/sut.h"

namespace harness {

class RunState;

class Topology {
 public:
  // Creates the namespaces (tb-<role>-<suffix>), sysctls and veth pairs of `spec`. `state` may
  // be null. Throws with the failed command; what was created is removed first.
  Topology(const SutSpec& spec, const std::string& name_suffix, RunState* state);
  ~Topology();
  Topology(const Topology&) = delete;
  Topology& operator=(const Topology&) = delete;

  // The namespace of `role`; throws std::invalid_argument for a role the spec does not create.
  const std::string& ns(const std::string& role) const;
  const std::string& client_ns() const { return ns(endpoints_.client_ns); }
  const std::string& server_ns() const { return ns(endpoints_.server_ns); }
  const std::string& server_address() const { return endpoints_.server_address; }
  const std::string& server_address6() const { return endpoints_.server_address6; }
  // {ns:ROLE} and {netns_path:ROLE} for every role, for expand_placeholders().
  std::map<std::string, std::string> placeholders() const;

  // Whether `device` exists and is UP in the namespace of `role`.
  bool device_up(const std::string& role, const std::string& device) const;
  // The device's own byte counters (ip -s link: what the kernel saw cross it).
  struct DeviceBytes {
    std::uint64_t rx = 0;
    std::uint64_t tx = 0;
  };
  // Throws with the command's error when the device is not there.
  DeviceBytes device_bytes(const std::string& role, const std::string& device) const;
  // Moves every device to its namespace and configures it: links and IPv4 of all first, then
  // IPv6 (a new IPv6 link sends router solicitations, which must not reach a device still in
  // transit).
  void adopt(const std::vector<CreatedDevice>& devices);

  // Idempotent; never throws.
  void teardown() noexcept;

 private:
  void add_namespace(const std::string& role);
  void ip(const std::string& ns, std::vector<std::string> args);
  void configure_link(const Interface& i);  // addresses (IPv4), MTU, up, IPv4 routes
  void configure_ipv6(const Interface& i);  // IPv6 on, addresses, routes

  Endpoints endpoints_;
  RunState* state_;
  std::string suffix_;
  std::map<std::string, std::string> names_;  // role → namespace
  std::vector<std::function<void()>> undo_;   // run in reverse order by teardown()
};

}  // namespace harness

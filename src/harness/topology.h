#pragma once
// The network namespaces of one measurement, created fresh and always removed (reverse order of
// creation, also on exceptions and signals through the destructor).
//
//   forwarder:  tb-a (client 10.0.1.1, tun11) ── forwarder fds in tb-fwd ── tb-b (server 10.0.2.1, tun22)
//   veth:       tb-a (veth-a 10.0.1.1) ──── veth pair ──── tb-b (veth-b 10.0.2.1)
//   loopback:   tb-a only, client and server on 127.0.0.1
//
// The forwarder creates tun11/tun22 in tb-fwd; they are then moved into tb-a and tb-b. A TUN
// fd stays bound to its device across the move, so the forwarder keeps forwarding, while the
// kernel can no longer short-cut 10.0.1.1 → 10.0.2.1 locally: every packet crosses user space.
#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace harness {

class Process;
class RunState;

enum class Layout { forwarder, veth, loopback };

inline constexpr const char* kClientAddress = "10.0.1.1";
inline constexpr const char* kServerAddress = "10.0.2.1";
// IPv6 twins, so the same topology carries IPv6 transfers (unique-local, never routed out).
inline constexpr const char* kClientAddress6 = "fd00:1::1";
inline constexpr const char* kServerAddress6 = "fd00:2::1";

class Topology {
 public:
  // Creates the namespaces (and, for veth, the wired pair). `state` may be null.
  Topology(Layout layout, const std::string& name_suffix, RunState* state);
  ~Topology();
  Topology(const Topology&) = delete;
  Topology& operator=(const Topology&) = delete;

  Layout layout() const { return layout_; }
  const std::string& client_ns() const { return a_; }
  const std::string& server_ns() const { return layout_ == Layout::loopback ? a_ : b_; }
  const std::string& forwarder_ns() const { return fwd_; }
  std::string server_address() const { return layout_ == Layout::loopback ? "127.0.0.1" : kServerAddress; }

  // Waits (bounded) until the forwarder has created tun11 and tun22 and brought them up in
  // tb-fwd, then moves and configures them. Throws with the forwarder's stderr when it exits or
  // never creates its devices.
  void adopt_tun_devices(Process& forwarder, const std::filesystem::path& forwarder_stderr,
                         std::chrono::milliseconds timeout);

  // Idempotent; never throws.
  void teardown() noexcept;

 private:
  void add_namespace(const std::string& name);
  void ip(const std::string& ns, std::vector<std::string> args);
  void wire_veth();
  void configure_tun(const std::string& ns, const std::string& dev, const std::string& cidr,
                     const std::string& peer_net);
  void enable_ipv6(const std::string& ns, const std::string& dev, const std::string& cidr6,
                   const std::string& peer_net6);

  Layout layout_;
  RunState* state_;
  std::string fwd_, a_, b_;
  std::vector<std::function<void()>> undo_;  // run in reverse order by teardown()
};

}  // namespace harness

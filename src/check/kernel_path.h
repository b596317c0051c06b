#pragma once
// The kernel oracle (docs/check.md, "The kernel oracle"): the same crafted input a forwarder
// got, sent through a path that is the kernel's alone: a veth pair between two namespaces of the
// oracle's own, with nothing configured in them but the pair (no addresses, no routes; frames go
// to a MAC no device has, so no IP layer ever sees them). What arrives on the receiving veth is
// what the kernel itself makes of the input:
// - `merge`: the receiving veth runs GRO (NAPI), so segments of one flow arrive coalesced
//   exactly where the kernel's GRO (net/ipv4/tcp_offload.c tcp_gro_receive, …) merges them;
// - `segment`: the sending veth has checksum offload off (and with it TSO and USO), so a GSO
//   super-packet injected with its virtio-net header is cut by the kernel's software
//   segmentation (skb_gso_segment), checksums completed, before it crosses.
// The namespaces (tb-a-/tb-b-<suffix>) are created by harness::Topology, recorded in the run's
// state and removed on every exit path.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "check/capture.h"
#include "vnet/vnet_header.h"

namespace harness {
class RunState;
class Topology;
}  // namespace harness

namespace check {

struct KernelPathOptions {
  std::size_t mtu = 1500;
  bool merge = false;
  bool segment = false;
};

// One packet as injected: behind `vnet` (all zero for a plain packet).
struct Injection {
  vnet::VnetHeader vnet{};
  std::vector<std::uint8_t> bytes;
};

class KernelPath {
 public:
  // Creates the namespaces and the pair and switches the features; throws naming the step.
  KernelPath(const std::string& name_suffix, const KernelPathOptions& options, harness::RunState* state);
  ~KernelPath();
  KernelPath(const KernelPath&) = delete;
  KernelPath& operator=(const KernelPath&) = delete;

  // Injects `packets` in order into the sending veth and returns what the receiving one got,
  // once tags 0 … tag_count−1 of `port` have all arrived or `timeout` has passed. Throws when
  // the kernel refuses to send one.
  CaptureResult cross(std::span<const Injection> packets, std::uint16_t port, std::size_t tag_count,
                      std::chrono::milliseconds timeout);

 private:
  std::unique_ptr<harness::Topology> topology_;
};

}  // namespace check

#include "check/kernel_path.h"

#include <sys/socket.h>

#include <stdexcept>

#include <fmt/format.h>

#include "check/crafted_crossing.h"
#include "check/netns.h"
#include "check/packet_injector.h"
#include "harness/command.h"
#include "harness/topology.h"
#include "os/device_features.h"

namespace check {
namespace {

constexpr const char* kSender = "veth-ka";
constexpr const char* kReceiver = "veth-kb";
// How long the receiver's GRO may hold a packet: far longer than sending a case's packets takes.
constexpr long kGroHoldNs = 20'000'000;

harness::SutSpec oracle_spec(std::size_t mtu) {
  harness::SutSpec s;
  s.kind = "kernel-oracle";
  s.description = "a veth pair between two namespaces of their own: what the kernel makes of crafted input";
  s.namespaces = {"a", "b"};
  s.veths = {{{"a", kSender, {}, {}, static_cast<int>(mtu)}, {"b", kReceiver, {}, {}, static_cast<int>(mtu)}}};
  return s;
}

void set_features(const std::string& ns, const std::string& device, const std::map<std::string, bool>& wanted) {
  const auto socket = socket_in(ns, AF_INET, SOCK_DGRAM, 0);
  os::set_device_features(socket.get(), device, wanted);
}

}  // namespace

KernelPath::KernelPath(const std::string& name_suffix, const KernelPathOptions& options, harness::RunState* state)
    : topology_(std::make_unique<harness::Topology>(oracle_spec(options.mtu), name_suffix, state)) {
  // Every feature explicit: a veth's defaults have changed between kernels (GRO off, TSO on
  // today). The sender never offers segmentation: a veth whose sender could hand over GSO
  // packets keeps them from the receiver's GRO (veth_skb_is_eligible_for_gro in
  // drivers/net/veth.c), and a super-packet is to be cut before it crosses. Its checksum offload
  // is off to segment too, so the kernel completes every segment's checksum itself.
  set_features(topology_->ns("b"), kReceiver, {{"rx-gro", options.merge}});
  if (options.merge) {
    // Packets injected one sendto() at a time each get a NAPI poll of their own (the softirq
    // runs as the send returns), and a poll's end flushes GRO: nothing would ever merge. With a
    // flush timeout the poll's end only flushes what is a jiffy old (napi_complete_done), so a
    // run sent back-to-back stays in GRO to be merged, as packets arriving together would.
    // `ip netns exec` mounts the namespace's own /sys, where its devices are.
    harness::run_checked({"ip", "netns", "exec", topology_->ns("b"), "sh", "-c",
                          fmt::format("echo {} > /sys/class/net/{}/gro_flush_timeout", kGroHoldNs, kReceiver)});
  }
  set_features(topology_->ns("a"), kSender,
               {{"tx-checksum-ip-generic", !options.segment},
                {"tx-tcp-segmentation", false},
                {"tx-tcp6-segmentation", false},
                {"tx-udp-segmentation", false}});
}

KernelPath::~KernelPath() = default;

CaptureResult KernelPath::cross(std::span<const Injection> packets, std::uint16_t port, std::size_t tag_count,
                                std::chrono::milliseconds timeout) {
  TunCapture receiver(topology_->ns("b"), kReceiver);
  const PacketInjector injector(topology_->ns("a"), kSender, true);
  for (const auto& p : packets) {
    std::string error;
    if (!injector.send(p.vnet, p.bytes, &error))
      throw std::runtime_error(
          fmt::format("kernel oracle: sending a {}-byte packet into {}: {}", p.bytes.size(), kSender, error));
  }
  receiver.wait_for(
      [&](const std::vector<CapturedPacket>& seen) { return tags_written(seen, port, tag_count) == tag_count; },
      timeout);
  return receiver.finish();
}

}  // namespace check

// The gso-* cases (docs/check.md): GSO super-packets injected into tun11 with their virtio-net
// header, so a forwarder that negotiated TSO/USO there reads them whole and must split them (or
// pass them on as super-packets) itself. Each segment that comes out of tun22 must be the one the
// kernel's own software segmentation makes of the same super-packet (the kernel oracle,
// kernel_path.h). A forwarder that did not negotiate the offload never sees a super-packet (the
// kernel splits before it reads): the case is not applicable to it.
#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "check/capture.h"
#include "check/cases.h"
#include "check/crafted_crossing.h"
#include "check/crafted_super_packets.h"
#include "check/kernel_comparison.h"
#include "check/kernel_path.h"
#include "check/packet_injector.h"

namespace check::cases {

namespace {

using std::chrono::milliseconds;

// All segments of one case, out of either path: a few dozen kilobytes, through at once unless lost.
constexpr milliseconds kSegmentsWait{1000};

// How many super-packets (a GSO header, crafted tags inside) went one way through a device: read
// by the forwarder (`written` false) or written by it.
std::size_t whole_super_packets(const CaptureResult& c, bool written, std::uint16_t port) {
  std::size_t n = 0;
  for (const auto& p : c.packets)
    if (p.written == written && p.vnet.is_gso() && !tags_in(p.bytes, port).empty()) ++n;
  return n;
}

Verdict split_case(const Target& t, const std::vector<CraftedSuperPacket>& supers, bool negotiated,
                   const std::string& offload, const std::string& feature) {
  Verdict v;
  if (!negotiated) {
    v.not_applicable(
        fmt::format("{} offers no {}: the forwarder did not negotiate {} (TUNSETOFFLOAD), so the kernel "
                    "splits super-packets before it reads them",
                    t.client.device, feature, offload));
    return v;
  }
  std::vector<std::string> names;
  std::vector<Injection> injections;
  for (const auto& s : supers) {
    names.insert(names.end(), s.segment_names.begin(), s.segment_names.end());
    injections.push_back({s.vnet, s.bytes});
  }
  const auto count = names.size();
  const auto all_in = [&](const std::vector<CapturedPacket>& seen) {
    return tags_written(seen, t.port, count) == count;
  };

  TunCapture client_side(t.client.ns, t.client.device);
  TunCapture server_side(t.server.ns, t.server.device);
  {
    const PacketInjector injector(t.client.ns, t.client.device, true);
    for (const auto& s : supers) {
      std::string error;
      if (!injector.send(s.vnet, s.bytes, &error))
        v.fail(fmt::format("injecting {} into {}: {}", s.name, t.client.device, error));
    }
  }
  server_side.wait_for(all_in, kSegmentsWait);
  const auto read = client_side.finish();
  const auto written = server_side.finish();
  const std::size_t read_whole = whole_super_packets(read, false, t.port);
  if (read_whole == 0 && v.status() != Status::kFail) {
    v.not_applicable(
        fmt::format("{} negotiated {}, yet the kernel split every super-packet before the forwarder "
                    "read it: nothing of the forwarder's own split to check",
                    t.client.device, offload));
    return v;
  }

  KernelPathOptions options;
  options.mtu = t.client.mtu;
  options.segment = true;
  KernelPath kernel(t.name_suffix + "-k", options, t.state);
  const auto made = kernel.cross(injections, t.port, count, kSegmentsWait);

  const auto r = compare_segments(names, t.port, written.packets, made.packets);
  if (r.failures > 0)
    v.fail(fmt::format("kernel oracle: {} problem(s) in {} segments against the kernel's own segmentation; first: {}",
                       r.failures, count, r.problems.front()));
  for (const auto& n : r.notes) v.note(n);
  for (const auto* c : {&read, &written, &made})
    if (!c->complete()) v.note(fmt::format("a capture missed {} packet(s)", c->dropped));
  const std::size_t written_whole = whole_super_packets(written, true, t.port);
  auto& f = v.figures();
  f["super_packets"] = supers.size();
  f["read_whole"] = read_whole;
  f["written_whole"] = written_whole;
  f["segments"] = count;
  f["segments_compared"] = r.compared;
  v.note(
      fmt::format("{} super-packets ({} segments): the forwarder read {} whole and wrote {} as super-packets; {} "
                  "segments compared with the kernel's",
                  supers.size(), count, read_whole, written_whole, r.compared));
  return v;
}

}  // namespace

Verdict gso_tcp_v4_split(const Target& t) {
  return split_case(t, tcp_super_packets(crafted_ends(t), 4, std::min(t.client.mtu, t.server.mtu), 0),
                    t.client.offloads.tso4, "TSO4", "tx-tcp-segmentation");
}
Verdict gso_tcp_v6_split(const Target& t) {
  return split_case(t, tcp_super_packets(crafted_ends(t), 6, std::min(t.client.mtu, t.server.mtu), 0),
                    t.client.offloads.tso6, "TSO6", "tx-tcp6-segmentation");
}
Verdict gso_udp_split(const Target& t) {
  return split_case(t, udp_super_packets(crafted_ends(t), std::min(t.client.mtu, t.server.mtu), 0),
                    t.client.offloads.uso, "USO", "tx-udp-segmentation");
}

}  // namespace check::cases

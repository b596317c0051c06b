#include "check/merge_oracle.h"

#include <algorithm>
#include <chrono>
#include <set>
#include <string>

#include <fmt/format.h>

#include "check/cases.h"
#include "check/crafted_super_packets.h"
#include "check/engine_cut.h"
#include "check/kernel_comparison.h"
#include "check/kernel_path.h"
#include "packet/tcp_header.h"

namespace check {
namespace {

// The crafted packets and the control run, out of the kernel's path: through at once unless lost.
constexpr std::chrono::milliseconds kKernelWait{1000};

// How many packets the kernel delivered holding two or more of tags [first, first + count).
std::size_t merges_among(std::span<const CapturedPacket> delivered, std::uint16_t port, std::size_t first,
                         std::size_t count) {
  std::size_t merges = 0;
  for (const auto& p : delivered) {
    if (!p.written || p.truncated) continue;
    std::set<std::uint16_t> mine;
    for (const auto t : tags_in(p.bytes, port))
      if (t >= first && t < first + count) mine.insert(t);
    if (mine.size() > 1) ++merges;
  }
  return merges;
}

}  // namespace

void judge_merges_with_kernel(Verdict& v, const Target& t, const std::vector<CraftedPacket>& packets,
                              std::span<const CapturedPacket> written) {
  std::vector<std::string> names;
  std::vector<Injection> injections;
  for (const auto& p : packets) {
    names.push_back(p.name);
    injections.push_back({{}, p.bytes});
  }
  // The control: a TCP/IPv4 super-packet's segments (4 full ones and a short one with PSH, one
  // flow, consecutive), sent one by one; the kernel's GRO merges such a run.
  const auto first_control = static_cast<std::uint16_t>(packets.size());
  const auto control = tcp_super_packet(cases::crafted_ends(t), 4, t.client.mtu, first_control, 4, 100,
                                        packet::TcpHeader::kAckFlag | packet::TcpHeader::kPsh);
  const auto control_segments = engine_cut(control.vnet, control.bytes);
  for (const auto& s : control_segments) injections.push_back({{}, s});

  KernelPathOptions options;
  options.mtu = t.client.mtu;
  options.merge = true;
  KernelPath kernel(t.name_suffix + "-k", options, t.state);
  const auto made = kernel.cross(injections, t.port, packets.size() + control_segments.size(), kKernelWait);
  if (!made.complete()) v.note(fmt::format("kernel oracle: its capture missed {} packet(s)", made.dropped));
  const auto control_merges = merges_among(made.packets, t.port, first_control, control_segments.size());
  if (control_merges == 0) {
    v.fail(
        fmt::format("kernel oracle: the kernel's GRO merged none of its control run ({} segments of one flow), so "
                    "its merges cannot judge the forwarder's",
                    control_segments.size()));
    return;
  }
  const auto r = compare_merges(names, t.port, written, made.packets);
  if (r.failures > 0)
    v.fail(fmt::format("kernel oracle: {} write(s) of the forwarder merge what the kernel's GRO keeps apart; first: {}",
                       r.failures, r.problems.front()));
  for (const auto& n : r.notes) v.note(n);
  auto& f = v.figures();
  f["kernel_merges"] = r.kernel_merges;
  f["forwarder_merges"] = r.forwarder_merges;
  v.note(
      fmt::format("kernel oracle (GRO on a veth pair): the kernel merged {} group(s) of these packets, the "
                  "forwarder {} (its control run: {} merge(s))",
                  r.kernel_merges, r.forwarder_merges, control_merges));
}

}  // namespace check

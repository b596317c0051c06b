// The crafted cases (docs/check.md, "crafted-*"): packets built byte by byte
// (crafted_packets.h) are injected into tun11 from the client's namespace (PacketInjector), so
// they reach the forwarder as routed packets would, and must come out of tun22 exactly as the
// forwarder read them (crafted_crossing.h). Echo requests also bring back the server kernel's
// replies, which must cross the other way just as exactly.
#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "check/capture.h"
#include "check/cases.h"
#include "check/crafted_crossing.h"
#include "check/crafted_packets.h"
#include "check/merge_oracle.h"
#include "check/packet_injector.h"

namespace check::cases {
namespace {

using std::chrono::milliseconds;

// How long the crafted packets of one case may take to come out: all of them, not each. They
// are a few dozen small packets, through at once unless lost.
constexpr milliseconds kCraftedWait{1000};

std::vector<ExpectedCrossing> as_expected(const std::vector<CraftedPacket>& packets) {
  std::vector<ExpectedCrossing> e;
  for (const auto& p : packets) e.push_back({p.name, p.bytes});
  return e;
}

// Fails `v` with what `r` found going `way`; adds its counts as figures under `prefix`.
void judge(Verdict& v, const CrossingReport& r, const std::string& way, const std::string& prefix) {
  if (r.failures > 0)
    v.fail(fmt::format("bit-exact {}: {} of {} packets read arrived unchanged ({} problem(s)); first: {}", way, r.exact,
                       r.read, r.failures, r.problems.front()));
  for (const auto& n : r.kernel_notes) v.note(n);
  auto& f = v.figures();
  f[prefix + "expected"] = r.expected;
  f[prefix + "read"] = r.read;
  f[prefix + "exact"] = r.exact;
  f[prefix + "super_packets"] = r.super_packets;
  v.note(
      fmt::format("{}: {} packets, {} read by the forwarder, {} written back bit-exact ({} in "
                  "super-packets cut by the offload engine)",
                  way, r.expected, r.read, r.exact, r.super_packets));
}

// What a crossing case judges besides bit-exactness.
struct Judged {
  bool replies = false;        // the server kernel's answers (echo replies carrying each request's tag) cross back
  bool kernel_merges = false;  // the forwarder's merges against the kernel's GRO (merge_oracle.h)
};

// Injects `packets` into the client's device and judges what comes out of the server's.
Verdict crossing_case(const Target& t, const std::vector<CraftedPacket>& packets, Judged judged = {}) {
  const bool replies = judged.replies;
  Verdict v;
  TunCapture client_side(t.client.ns, t.client.device);
  TunCapture server_side(t.server.ns, t.server.device);
  const PacketInjector injector(t.client.ns, t.client.device);
  for (const auto& p : packets) {
    std::string error;
    if (!injector.send(p.bytes, &error))
      v.fail(fmt::format("injecting {} into {}: {}", p.name, t.client.device, error));
  }
  const auto count = packets.size();
  const auto all_in = [&](const std::vector<CapturedPacket>& seen) {
    return tags_written(seen, t.port, count) == count;
  };
  // Bounded polls: a lost packet costs the wait once per case, and is then judged lost.
  server_side.wait_for(all_in, kCraftedWait);
  if (replies) client_side.wait_for(all_in, kCraftedWait);
  const auto client_seen = client_side.finish();
  const auto server_seen = server_side.finish();
  for (const auto* c : {&client_seen, &server_seen})
    if (!c->complete()) v.note(fmt::format("a capture missed {} packet(s)", c->dropped));
  judge(v, compare_crossings(as_expected(packets), t.port, client_seen.packets, server_seen.packets), "client→server",
        "");
  if (judged.kernel_merges) judge_merges_with_kernel(v, t, packets, server_seen.packets);
  if (replies) {
    // The replies are the server kernel's: known only from what the forwarder read in tun22.
    std::vector<ExpectedCrossing> answers;
    for (const auto& p : packets) answers.push_back({"reply to " + p.name, {}});
    const auto r = compare_crossings(answers, t.port, server_seen.packets, client_seen.packets);
    judge(v, r, "server→client (echo replies)", "replies_");
  }
  return v;
}

}  // namespace

CraftedEnds crafted_ends(const Target& t) {
  return {t.client.address, t.server.address, t.client.address6, t.server.address6, t.port};
}

Verdict crafted_v4_options(const Target& t) { return crossing_case(t, ipv4_options_packets(crafted_ends(t))); }
Verdict crafted_v6_ext_headers(const Target& t) { return crossing_case(t, ipv6_extension_packets(crafted_ends(t))); }
Verdict crafted_icmp_echo(const Target& t) {
  return crossing_case(t, echo_requests(crafted_ends(t), std::min(t.client.mtu, t.server.mtu)), {.replies = true});
}
Verdict crafted_bad_checksums(const Target& t) { return crossing_case(t, bad_checksum_packets(crafted_ends(t))); }
// The cases about what may be merged also hold the forwarder's merges against the kernel's GRO.
Verdict crafted_no_coalesce(const Target& t) {
  return crossing_case(t, uncoalescable_runs(crafted_ends(t)), {.kernel_merges = true});
}
Verdict crafted_fragments(const Target& t) {
  return crossing_case(t, fragment_packets(crafted_ends(t)), {.kernel_merges = true});
}
Verdict crafted_tcp_flags(const Target& t) {
  return crossing_case(t, tcp_flag_runs(crafted_ends(t)), {.kernel_merges = true});
}
Verdict crafted_sizes(const Target& t) {
  return crossing_case(t, size_packets(crafted_ends(t), std::min(t.client.mtu, t.server.mtu)));
}

}  // namespace check::cases

// The UDP cases (docs/check.md, "udp-*"): datagrams of every interesting size, one at a time,
// and bursts of them sent with UDP_SEGMENT, client → server and back, with both devices
// captured for the packet rules.
#include <algorithm>

#include <fmt/format.h>

#include "check/capture.h"
#include "check/capture_review.h"
#include "check/cases.h"
#include "check/udp_datagrams.h"
#include "harness/interrupt.h"

namespace check::cases {
namespace {

// What a case sends each way through devices of MTU `mtu`.
using SendPlan = std::vector<Burst> (*)(std::size_t mtu, int ip_version);

std::vector<Burst> single_datagrams(std::size_t mtu, int ip_version) {
  return one_at_a_time(datagram_sizes(mtu, ip_version));
}

Verdict datagrams(const Target& t, int ip_version, SendPlan plan) {
  Verdict v;
  TunCapture client_side(t.client.ns, t.client.device);
  TunCapture server_side(t.server.ns, t.server.device);
  struct Way {
    const char* name;
    const Side& from;
    const Side& to;
  };
  std::size_t sent = 0, intact = 0, calls = 0;
  for (const Way& w : {Way{"client→server", t.client, t.server}, Way{"server→client", t.server, t.client}}) {
    DatagramOptions o;
    o.from_ns = w.from.ns;
    o.to_ns = w.to.ns;
    o.to_address = ip_version == 6 ? w.to.address6 : w.to.address;
    o.port = static_cast<std::uint16_t>(t.port + (&w.from == &t.client ? 0 : 1));
    // The smaller MTU of the two devices bounds what crosses unfragmented.
    o.sends = plan(std::min(t.client.mtu, t.server.mtu), ip_version);
    o.seed = 0x7564'7000ull + t.port + static_cast<std::uint64_t>(ip_version);
    calls += o.sends.size();
    try {
      const auto r = exchange_datagrams(o);
      sent += r.sent;
      intact += r.intact;
      if (!r.problems.empty())
        v.fail(fmt::format(
            "datagrams {}: {} of {} intact ({} lost, {} of them late, {} corrupted, {} repeated, {} "
            "out of order); first: {}",
            w.name, r.intact, r.datagrams, r.lost, r.late, r.corrupted, r.duplicates, r.reordered, r.problems.front()));
    } catch (const harness::Interrupted&) {
      throw;
    } catch (const std::runtime_error& e) {
      v.fail(fmt::format("datagrams {}: {}", w.name, e.what()));
    }
  }
  const auto review = review_captures({client_side.finish(), server_side.finish()},
                                      {{t.client.device, t.client.mtu}, {t.server.device, t.server.mtu}});
  review.apply(v);
  v.figures()["datagrams_sent"] = sent;
  v.figures()["datagrams_intact"] = intact;
  v.figures()["send_calls"] = calls;
  v.note(fmt::format("{} of {} datagrams intact ({} send calls); {} packets written ({} super-packets), {} read",
                     intact, sent, calls, review.written, review.super_packets, review.read));
  return v;
}

}  // namespace

Verdict udp_v4(const Target& t) { return datagrams(t, 4, single_datagrams); }
Verdict udp_v6(const Target& t) { return datagrams(t, 6, single_datagrams); }
Verdict udp_v4_gso(const Target& t) { return datagrams(t, 4, gso_bursts); }
Verdict udp_v6_gso(const Target& t) { return datagrams(t, 6, gso_bursts); }

}  // namespace check::cases

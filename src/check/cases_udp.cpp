// The UDP cases (docs/check.md, "udp-*"): datagrams of every interesting size, one at a time,
// client → server and back, with both devices captured for the packet rules.
#include <algorithm>

#include <fmt/format.h>

#include "check/capture.h"
#include "check/capture_review.h"
#include "check/cases.h"
#include "check/udp_datagrams.h"
#include "harness/interrupt.h"

namespace check::cases {
namespace {

Verdict datagrams(const Target& t, int ip_version) {
  Verdict v;
  TunCapture client_side(t.client.ns, t.client.device);
  TunCapture server_side(t.server.ns, t.server.device);
  struct Way {
    const char* name;
    const Side& from;
    const Side& to;
  };
  std::size_t sent = 0, intact = 0;
  for (const Way& w : {Way{"client→server", t.client, t.server}, Way{"server→client", t.server, t.client}}) {
    DatagramOptions o;
    o.from_ns = w.from.ns;
    o.to_ns = w.to.ns;
    o.to_address = ip_version == 6 ? w.to.address6 : w.to.address;
    o.port = static_cast<std::uint16_t>(t.port + (&w.from == &t.client ? 0 : 1));
    // The smaller MTU of the two devices bounds what crosses unfragmented.
    o.sizes = datagram_sizes(std::min(t.client.mtu, t.server.mtu), ip_version);
    o.seed = 0x7564'7000ull + t.port + static_cast<std::uint64_t>(ip_version);
    try {
      const auto r = exchange_datagrams(o);
      sent += r.sent;
      intact += r.intact;
      if (!r.problems.empty())
        v.fail(fmt::format("datagrams {}: {} of {} intact ({} lost, {} corrupted, {} repeated); first: {}", w.name,
                           r.intact, o.sizes.size(), r.lost, r.corrupted, r.duplicates, r.problems.front()));
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
  v.note(fmt::format("{} of {} datagrams intact; {} packets written", intact, sent, review.written));
  return v;
}

}  // namespace

Verdict udp_v4(const Target& t) { return datagrams(t, 4); }
Verdict udp_v6(const Target& t) { return datagrams(t, 6); }

}  // namespace check::cases

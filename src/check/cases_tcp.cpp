// The TCP bulk cases (docs/check.md, "tcp-*"): a seeded stream through the forwarder in one or
// both directions, checked byte by byte at the receiving application, with both TUN devices
// captured so every packet the forwarder wrote is judged by the packet and flag rules.
#include <fmt/format.h>

#include "check/capture.h"
#include "check/capture_review.h"
#include "check/cases.h"
#include "check/tcp_stream.h"
#include "harness/interrupt.h"

namespace check::cases {
namespace {

struct Bulk {
  int ip_version = 4;
  bool up = false;
  bool down = false;
};

Verdict bulk(const Target& t, const Bulk& b) {
  Verdict v;
  // Both devices: the receiving one shows what the forwarder wrote, the sending one what it read.
  TunCapture client_side(t.client.ns, t.client.device);
  TunCapture server_side(t.server.ns, t.server.device);
  StreamOptions o;
  o.client_ns = t.client.ns;
  o.server_ns = t.server.ns;
  o.server_address = b.ip_version == 6 ? t.server.address6 : t.server.address;
  o.port = t.port;
  o.up = b.up ? t.bulk_bytes : 0;
  o.down = b.down ? t.bulk_bytes : 0;
  o.seed = 0x7462'6368'6563'6b00ull + t.port;
  o.timeout = t.transfer_timeout;
  StreamResult result;
  try {
    TcpStream stream(o);
    result = stream.wait();
  } catch (const harness::Interrupted&) {
    throw;
  } catch (const std::runtime_error& e) {
    v.fail(fmt::format("stream: {}", e.what()));
  }
  const auto review = review_captures({client_side.finish(), server_side.finish()},
                                      {{t.client.device, t.client.mtu}, {t.server.device, t.server.mtu}});
  if (b.up && !result.up.ok()) v.fail("stream client→server: " + result.up.describe());
  if (b.down && !result.down.ok()) v.fail("stream server→client: " + result.down.describe());
  review.apply(v);
  const std::uint64_t bytes = result.up.received + result.down.received;
  v.figures()["bytes"] = bytes;
  v.figures()["seconds"] = result.seconds;
  if (result.seconds > 0) v.figures()["mbit_per_s"] = static_cast<double>(bytes) * 8 / result.seconds / 1e6;
  v.note(fmt::format("{} bytes in {:.2f} s; {} packets written ({} super-packets), {} read", bytes, result.seconds,
                     review.written, review.super_packets, review.read));
  return v;
}

}  // namespace

Verdict tcp_v4_bulk_up(const Target& t) { return bulk(t, {4, true, false}); }
Verdict tcp_v4_bulk_down(const Target& t) { return bulk(t, {4, false, true}); }
Verdict tcp_v4_bulk_both(const Target& t) { return bulk(t, {4, true, true}); }
Verdict tcp_v6_bulk_up(const Target& t) { return bulk(t, {6, true, false}); }
Verdict tcp_v6_bulk_down(const Target& t) { return bulk(t, {6, false, true}); }
Verdict tcp_v6_bulk_both(const Target& t) { return bulk(t, {6, true, true}); }

}  // namespace check::cases

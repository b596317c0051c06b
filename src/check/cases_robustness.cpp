// The robustness cases (docs/check.md, "robustness-*"): what the forwarder does when told to
// stop in the middle of its work.
#include <signal.h>

#include <chrono>

#include <fmt/format.h>

#include "check/cases.h"
#include "check/tcp_stream.h"
#include "harness/interrupt.h"
#include "harness/process.h"

namespace check::cases {

Verdict robustness_sigterm(const Target& t) {
  using std::chrono::milliseconds;
  Verdict v;
  if (t.forwarder == nullptr || t.forwarder->pid() <= 0) {
    v.not_applicable("no forwarder process to signal");
    return v;
  }
  StreamOptions o;
  o.client_ns = t.client.ns;
  o.server_ns = t.server.ns;
  o.server_address = t.server.address;
  o.port = t.port;
  o.up = std::uint64_t{1} << 40;  // more than can cross before the signal: the transfer is running
  o.seed = 0x5349'4754'4552'4dull;
  o.timeout = t.transfer_timeout;
  TcpStream stream(o);
  // "Mid-transfer": once 1 MB has crossed, so the forwarder is busy moving data.
  constexpr std::uint64_t kUnderWay = 1 << 20;
  if (!stream.wait_for_up(kUnderWay)) {
    harness::throw_if_interrupted();
    v.fail(fmt::format("the transfer never got under way: {} bytes crossed", stream.received_up()));
    return v;
  }
  const auto crossed = stream.received_up();
  const auto t0 = std::chrono::steady_clock::now();
  ::kill(t.forwarder->pid(), SIGTERM);
  constexpr milliseconds kBound(1000);
  const bool exited = t.forwarder->wait_for(milliseconds(5000));
  const auto elapsed = std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - t0);
  stream.abort();
  v.figures()["bytes_before_signal"] = crossed;
  if (!exited) {
    v.fail("still running 5000 ms after SIGTERM");
    return v;
  }
  v.figures()["exit_ms"] = elapsed.count();
  v.figures()["exit_status"] = t.forwarder->exit_status().value_or(-1);
  v.note(fmt::format("SIGTERM after {} bytes; exited in {} ms with status {}", crossed, elapsed.count(),
                     t.forwarder->exit_status().value_or(-1)));
  if (elapsed > kBound)
    v.fail(fmt::format("exited {} ms after SIGTERM (the bound is {} ms)", elapsed.count(), kBound.count()));
  return v;
}

}  // namespace check::cases

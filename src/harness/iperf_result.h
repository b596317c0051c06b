#pragma once
// The figures tunbench takes from an `iperf3 -J` client report.
#include <cstdint>
#include <string_view>

namespace harness {

struct IperfResult {
  bool udp = false;
  // The receiver's bitrate, TCP and UDP alike: what crossed the path. For UDP the sender's rate
  // says nothing of the path (a path that drops half of it at its entrance keeps the sender going
  // as fast), so it is kept apart as offered_gbps.
  double gbps = 0;
  std::int64_t retransmits = 0;
  double loss_percent = 0;    // UDP only
  double offered_gbps = 0;    // UDP: the sender's bitrate; TCP: equal to gbps
  double delivered_gbps = 0;  // equal to gbps (runs saved before offered_gbps: offered × (1 − loss))
  double seconds = 0;
  std::uint64_t bytes = 0;  // bytes the receiver got (TCP and UDP alike)
};

// Throws std::runtime_error with iperf3's own message when the report has an "error" field, and
// when the JSON is malformed or lacks the summary.
IperfResult parse_iperf_json(std::string_view json);

}  // namespace harness

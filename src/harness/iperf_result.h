#pragma once
// The figures tunbench takes from an `iperf3 -J` client report.
#include <cstdint>
#include <string_view>

namespace harness {

struct IperfResult {
  bool udp = false;
  double gbps = 0;  // TCP: receiver bitrate; UDP: offered (sender) bitrate
  std::int64_t retransmits = 0;
  double loss_percent = 0;    // UDP only
  double delivered_gbps = 0;  // gbps × (1 − loss); equal to gbps for TCP
  double seconds = 0;
  std::uint64_t bytes = 0;  // TCP: bytes the receiver got; UDP: bytes the sender sent
};

// Throws std::runtime_error with iperf3's own message when the report has an "error" field, and
// when the JSON is malformed or lacks the summary.
IperfResult parse_iperf_json(std::string_view json);

}  // namespace harness

#pragma once
// Where TCP's per-segment flags may appear in what a forwarder wrote (docs/check.md,
// "tcp-flags"): both sides are first cut into the segments they stand for by the offload
// engine (the oracle: docs/offload.md §5 puts CWR on the first segment of a split and FIN/PSH on
// the last), then every written segment with PSH or FIN must end where a segment the forwarder
// read with that flag ended, and every CWR must start where one it read started. A CWR it read
// must also come out: a segment written from that sequence number on carries it (GRO never merges
// a CWR segment, so it survives as a segment start); one the forwarder dropped is not judged.
// A forwarder that copies CWR or PSH onto every segment of a split breaks the first rule.
#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "vnet/vnet_header.h"

namespace check {

class FlagLedger {
 public:
  // A packet the kernel handed the forwarder (read from its TUN), in capture order.
  void add_input(const vnet::VnetHeader& header, std::span<const std::uint8_t> packet);
  // A packet the forwarder wrote; call after every input. Findings go to violations().
  void add_output(const vnet::VnetHeader& header, std::span<const std::uint8_t> packet);
  // After the last output: CWRs read whose segment was written without one.
  void finish();

  const std::vector<std::string>& violations() const { return violations_; }
  std::size_t input_segments() const { return input_segments_; }
  std::size_t output_segments() const { return output_segments_; }

 private:
  struct Segment {
    std::string flow;  // version, addresses and ports, as raw bytes
    std::string name;  // describe_packet() of the segment
    std::uint32_t seq = 0;
    std::uint32_t end = 0;  // seq + payload bytes
    std::uint8_t flags = 0;
  };
  struct Marks {
    std::set<std::uint32_t> psh_ends, fin_ends, cwr_starts, cwr_written, cwr_cleared;
  };
  // The TCP segments a packet stands for (a super-packet split by the oracle); empty for
  // anything else or a packet the oracle refuses (check_written_packet reports that).
  static std::vector<Segment> segments(const vnet::VnetHeader& header, std::span<const std::uint8_t> packet);

  std::map<std::string, Marks> flows_;
  std::vector<std::string> violations_;
  std::size_t input_segments_ = 0;
  std::size_t output_segments_ = 0;
};

}  // namespace check

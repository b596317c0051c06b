#pragma once
// What the kernel oracle's verdicts compare (docs/check.md, "The kernel oracle"): the packets a
// forwarder wrote into the server's device against what the kernel made of the same input on its
// own path (kernel_path.h). Packets are matched by their crafted tags (crafted_packets.h). Pure:
// captures in, findings out.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "check/capture.h"

namespace check {

struct KernelComparison {
  std::size_t kernel_merges = 0;     // packets the kernel delivered that hold 2+ crafted packets
  std::size_t forwarder_merges = 0;  // writes of the forwarder that hold 2+
  std::size_t compared = 0;          // segments (or packets) compared with the kernel's
  std::size_t failures = 0;          // problems, of which the first few are kept:
  std::vector<std::string> problems;
  std::vector<std::string> notes;  // what cannot be judged, and why
};

// Merging: `names[i]` names tag i of `port`. Every write of the forwarder that holds several
// crafted packets must hold only packets the kernel's GRO delivered together as well: a forwarder
// may merge less than the kernel (or nothing), never across a boundary the kernel keeps.
KernelComparison compare_merges(const std::vector<std::string>& names, std::uint16_t port,
                                std::span<const CapturedPacket> forwarder_exit,
                                std::span<const CapturedPacket> kernel_exit);

// Segmentation: each segment the forwarder wrote (a super-packet write cut by the offload engine
// first, as the receiving kernel would) must equal, byte for byte, the segment with the same tag
// that the kernel's own segmentation made; a segment missing, doubled or holding more than one
// tag is a problem too.
KernelComparison compare_segments(const std::vector<std::string>& names, std::uint16_t port,
                                  std::span<const CapturedPacket> forwarder_exit,
                                  std::span<const CapturedPacket> kernel_exit);

}  // namespace check

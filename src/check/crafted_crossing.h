#pragma once
// Whether crafted packets crossed the forwarder bit-exact (docs/check.md, "crafted-*"): each
// tagged packet (crafted_packets.h) the kernel sent into the entry device for the forwarder to
// read (PACKET_OUTGOING there) must come out of the exit device (PACKET_HOST: what the
// forwarder wrote) byte for byte as it was read. A super-packet, or a write with NEEDS_CSUM, is
// first cut by the offload engine (offload::gso_split), so a merge the engine's split undoes
// exactly is no difference, and a wrong merge shows as the field the split rebuilt from the run's
// head. Pure: captured packets in, findings out.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "check/capture.h"

namespace check {

// One packet that should cross: its name, and the bytes injected into the entry device when
// tunbench sent it (empty for a packet a kernel sent, an echo reply: then the copy read is all
// there is to compare with).
struct ExpectedCrossing {
  std::string name;
  std::vector<std::uint8_t> injected;
};

// The most evidence lines a report keeps; its failure count says how many more there were.
inline constexpr std::size_t kMaxProblems = 8;

// Counts a problem in `report` (anything with `failures` and `problems`), keeping the first few.
template <class Report>
void add_problem(Report& report, std::string text) {
  ++report.failures;
  if (report.problems.size() < kMaxProblems) report.problems.push_back(std::move(text));
}

struct CrossingReport {
  std::size_t expected = 0;
  std::size_t read = 0;                   // found among what the forwarder read
  std::size_t arrived = 0;                // found among what it wrote
  std::size_t exact = 0;                  // arrived byte for byte as read
  std::size_t super_packets = 0;          // writes holding crafted packets that were cut first
  std::size_t failures = 0;               // problems found, of which the first few are kept:
  std::vector<std::string> problems;      // "#3 TCP …: byte 8 (IPv4 TTL): 0x40 written as 0x3f"
  std::vector<std::string> kernel_notes;  // what the kernels did, not the forwarder
};

// The IP packets a captured write stands for: the segments of a super-packet or the packet with
// its NEEDS_CSUM checksum completed, cut by the offload engine; the bytes as they are otherwise;
// nothing when the engine refuses the write (the packet rules judge that).
std::vector<std::vector<std::uint8_t>> packets_of(const CapturedPacket& p);

// `expected[i]` carries tag i of `port`. `entry`: the capture of the device the packets go into
// the forwarder through; `exit`: the one they come out of. Only the entry's PACKET_OUTGOING and
// the exit's PACKET_HOST packets are looked at.
CrossingReport compare_crossings(const std::vector<ExpectedCrossing>& expected, std::uint16_t port,
                                 std::span<const CapturedPacket> entry, std::span<const CapturedPacket> exit);

// How many of tags 0 … count−1 of `port` are in packets the forwarder wrote among `exit`: the
// condition a case polls until everything is in.
std::size_t tags_written(std::span<const CapturedPacket> exit, std::uint16_t port, std::size_t count);

}  // namespace check

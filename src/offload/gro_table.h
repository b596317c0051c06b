#pragma once
// GRO coalescing (docs/offload.md §6): a batch of plain IP packets about to be written to a TUN
// with offloads becomes the fewest valid super-packets, each with the virtio_net_hdr the
// kernel expects.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "vnet/vnet_header.h"

namespace offload {

struct GroOptions {
  bool tcp = true;  // coalesce TCP v4/v6 (needs TSO4/TSO6 granted)
  bool udp = true;  // coalesce UDP v4/v6 (needs USO4/USO6 granted)
  std::size_t max_udp_segments = vnet::kUdpMaxSegments;
};

// One write to the TUN: header + packet bytes. `bytes` points either at the caller's input
// (a packet left as it was, header all zero) or into the table's own buffer (a merged
// super-packet); both stay valid until the next coalesce() or the table's destruction.
struct GroOutput {
  vnet::VnetHeader header;
  std::span<const std::uint8_t> bytes;
  std::size_t merged = 1;  // how many input packets this write carries
};

// Values of coalesce()'s per-packet `checksum_ok`.
enum ChecksumState : std::uint8_t {
  kChecksumVerify = 0,    // unknown: the table sums the packet before it merges it (rule 6)
  kChecksumComputed = 1,  // the caller computed the L4 checksum itself (gso_split output)
  kChecksumPartial = 2,   // the field holds the pseudo-header sum (SegmentChecksum::kPartial): the
                          // packet leaves the table with NEEDS_CSUM, merged or alone
};

class GroTable {
 public:
  explicit GroTable(GroOptions options = {});

  // Coalesces one batch; outputs are in the order of each run's first-arriving packet, and
  // packets that may not coalesce keep their order within their flow. Allocates only while
  // its buffers grow to the largest batch seen.
  //
  // `checksum_ok[i]` (a ChecksumState) kChecksumComputed says the caller computed packet i's L4
  // checksum itself (gso_split output): rule 6 is then true by construction and the table does
  // not sum the packet again, which was a third of the forwarder's checksum work.
  // kChecksumPartial: nobody summed the payload; the packet is written with NEEDS_CSUM even when
  // it merges with nothing, so the kernel completes (or trusts) its checksum. Empty, or shorter
  // than `packets`: every packet without a flag is verified.
  std::span<const GroOutput> coalesce(std::span<const std::span<const std::uint8_t>> packets,
                                      std::span<const std::uint8_t> checksum_ok = {});

  const GroOptions& options() const { return options_; }
  void set_options(GroOptions o) { options_ = o; }

 private:
  GroOptions options_;
  // Implementation state (runs, flow index, merge buffer) is declared in gro_table.cpp's
  // companion struct to keep this header stable.
  struct State;
  struct StateDeleter {
    void operator()(State*) const;
  };
  std::unique_ptr<State, StateDeleter> state_;
};

}  // namespace offload

#pragma once
// GRO coalescing (docs/offload.md §6): a batch of plain IP packets about to be written to a TUN
// with offloads becomes the fewest valid super-packets, each with the virtio_net_hdr the
// kernel expects.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "offload/segment.h"
#include "vnet/vnet_header.h"

namespace offload {

struct GroOptions {
  bool tcp = true;  // coalesce TCP v4/v6 (needs TSO4/TSO6 granted)
  bool udp = true;  // coalesce UDP v4/v6 (needs USO4/USO6 granted)
  std::size_t max_udp_segments = vnet::kUdpMaxSegments;
};

// Most pieces a gathered output has after `bytes`: a run whose payload would take more (tiny
// segments from scattered buffers) is copied whole instead, so a writer's iovec stays bounded.
inline constexpr std::size_t kMaxGroPieces = 64;

// One write to the TUN: header + packet bytes. `bytes` points either at the caller's input
// (a packet left as it was, header all zero) or into the table's own buffer (a merged
// super-packet); both stay valid until the next coalesce() or the table's destruction. From the
// Segment overload, the packet is `bytes` followed by the pieces of `more` (payload left where
// the caller holds it); from the other, `more` is always empty.
struct GroOutput {
  vnet::VnetHeader header;
  std::span<const std::uint8_t> bytes;
  std::span<const std::span<const std::uint8_t>> more;
  std::size_t merged = 1;  // how many input packets this write carries

  std::size_t size() const {
    std::size_t n = bytes.size();
    for (const auto& piece : more) n += piece.size();
    return n;
  }
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
  // The same over packets held in two pieces, without copying payload: a merged packet is its
  // rewritten headers (in the table's buffer) followed by its members' payload pieces, adjacent
  // ones joined (the segments of one super-packet split by reference give back one piece); a
  // packet left as it was is its head and tail. `segments` must stay valid as long as the outputs.
  std::span<const GroOutput> coalesce(std::span<const Segment> segments,
                                      std::span<const std::uint8_t> checksum_ok = {});

  const GroOptions& options() const { return options_; }
  void set_options(GroOptions o) { options_ = o; }

 private:
  GroOptions options_;
  // Implementation state (runs, flow index, merge buffer) is declared in gro_table.cpp's
  // companion struct to keep this header stable.
  struct State;
  std::span<const GroOutput> run(std::span<const Segment> segments, std::span<const std::uint8_t> checksum_ok,
                                 bool gather);
  struct StateDeleter {
    void operator()(State*) const;
  };
  std::unique_ptr<State, StateDeleter> state_;
};

}  // namespace offload

#include "forward/stages/batch_writer.h"

#include <algorithm>
#include <cerrno>

#include "offload/gso_split.h"

namespace forward {

namespace {
// Enough slots for the segments of the largest super-packet a GRO table or a TUN read makes.
constexpr std::size_t kFallbackSlots = 512;
}  // namespace

BatchWriter::BatchWriter(const device::Offloads& out, std::size_t segment_size, std::size_t max_packets)
    : fb_storage_(new std::uint8_t[kFallbackSlots * segment_size]),
      fb_slots_(kFallbackSlots),
      fb_lengths_(kFallbackSlots) {
  if (out.tcp_gso() || out.udp_gso()) {
    offload::GroOptions o;
    o.tcp = out.tcp_gso();
    o.udp = out.udp_gso();
    gro_ = std::make_unique<offload::GroTable>(o);
  }
  outs_.reserve(max_packets);
  counts_.reserve(max_packets);
  fb_outs_.reserve(kFallbackSlots);
  for (std::size_t i = 0; i < kFallbackSlots; ++i) fb_slots_[i] = {fb_storage_.get() + i * segment_size, segment_size};
}

void BatchWriter::restart() {
  outs_.clear();
  counts_.clear();
  pos_ = 0;
  in_fallback_ = false;
}

void BatchWriter::begin(std::span<const std::span<const std::uint8_t>> packets,
                        std::span<const std::uint8_t> checksum_ok) {
  restart();
  if (gro_) return take(gro_->coalesce(packets, checksum_ok));
  for (const auto& p : packets) {
    outs_.push_back({p, {}});  // a fresh all-zero header for every write
    counts_.push_back(1);
  }
}

void BatchWriter::begin(std::span<const offload::Segment> segments, std::span<const std::uint8_t> checksum_ok) {
  restart();
  if (gro_) return take(gro_->coalesce(segments, checksum_ok));
  for (const auto& s : segments) {
    const std::span<const std::span<const std::uint8_t>> more =
        s.tail.empty() ? std::span<const std::span<const std::uint8_t>>{} : std::span(&s.tail, 1);
    outs_.push_back({s.head, {}, more});
    counts_.push_back(1);
  }
}

void BatchWriter::take(std::span<const offload::GroOutput> outputs) {
  static_assert(offload::kMaxGroPieces <= device::kMaxOutPieces, "a GRO output must fit one gathering write");
  for (const auto& o : outputs) {
    outs_.push_back({o.bytes, o.header, o.more});
    counts_.push_back(static_cast<std::uint32_t>(o.merged));
  }
}

void BatchWriter::begin_raw(std::span<const device::OutPacket> outs, std::span<const std::uint32_t> segments) {
  outs_.assign(outs.begin(), outs.end());
  counts_.assign(segments.begin(), segments.end());
  pos_ = 0;
  in_fallback_ = false;
}

std::span<const device::OutPacket> BatchWriter::pending() const {
  if (in_fallback_) return std::span<const device::OutPacket>(fb_outs_).subspan(fb_pos_);
  return std::span<const device::OutPacket>(outs_).subspan(pos_);
}

void BatchWriter::advance(std::size_t n, Tally& t) {
  auto cur = pending();
  for (std::size_t i = 0; i < n; ++i) {
    t.written += in_fallback_ ? 1 : counts_[pos_ + i];
    t.writes += 1;
    t.bytes += cur[i].size();
  }
  if (in_fallback_) {
    fb_pos_ += n;
    if (fb_pos_ == fb_outs_.size()) in_fallback_ = false;
  } else {
    pos_ += n;
  }
}

void BatchWriter::on_sent(device::IoResult r, Tally& t) {
  const std::size_t n = std::min(r.count, pending().size());
  advance(n, t);
  if (done()) return;
  if (r.error == 0) {
    // A device that wrote fewer packets without saying why: drop one so the loop progresses.
    if (n == 0) refuse(EIO, t);
    return;
  }
  if (r.error == EINTR) return;  // retry the same write
  refuse(r.error, t);
}

void BatchWriter::refuse(int error, Tally& t) {
  if (in_fallback_) {
    t.drop(write_drop_reason(error));
    if (++fb_pos_ == fb_outs_.size()) in_fallback_ = false;
    return;
  }
  const device::OutPacket& out = outs_[pos_];
  const std::uint32_t count = counts_[pos_];
  ++pos_;
  if (error != EINVAL || !out.vnet.is_gso()) {
    t.drop(write_drop_reason(error), count);
    return;
  }
  // The kernel refused a GSO write it should take: resend its segments one by one. By the GRO
  // contract (docs/offload.md §6) they are exactly the `count` packets it carried.
  std::span<const std::uint8_t> whole = out.bytes;
  if (!out.more.empty()) {
    fb_whole_.assign(out.bytes.begin(), out.bytes.end());
    for (const auto& piece : out.more) fb_whole_.insert(fb_whole_.end(), piece.begin(), piece.end());
    whole = fb_whole_;
  }
  const auto r = offload::gso_split(out.vnet, whole, fb_slots_, fb_lengths_);
  if (!r.ok()) {
    t.drop(drop_reason(*r.error), count);
    return;
  }
  ++t.gso_fallbacks;
  fb_outs_.clear();
  for (std::size_t i = 0; i < r.segments; ++i) fb_outs_.push_back({fb_slots_[i].first(fb_lengths_[i]), {}});
  // Keep the balance exact even if a split ever disagrees with the count it replaces.
  if (r.segments > count) t.packets += r.segments - count;
  if (r.segments < count) t.drop(DropReason::kWriteInvalid, count - r.segments);
  fb_pos_ = 0;
  in_fallback_ = !fb_outs_.empty();
}

}  // namespace forward

#include "pcapio/offload_tool.h"

#include <algorithm>
#include <cstdint>
#include <span>

#include <fmt/format.h>

#include "offload/gso_split.h"
#include "pcapio/link_type.h"
#include "pcapio/pcap_error.h"
#include "pcapio/vnet_record.h"

namespace pcapio {

namespace {

// Bytes one output slot must hold. A segment is its headers (L4 offset + at most a 60-byte
// TCP header) plus at most gso_size payload, and never more than the whole packet; sizing
// slots this way keeps gso_size 1 on a 64 KiB packet at a few MB instead of GBs.
std::size_t slot_size(const vnet::VnetHeader& h, std::size_t packet_size) {
  if (!h.is_gso()) return packet_size;
  return std::min<std::size_t>(packet_size, std::size_t{h.csum_start} + 60 + h.gso_size);
}

}  // namespace

ToolReport split_pcap(PcapReader& in, PcapWriter& out) {
  require_link_type(in.path(), in.linktype(), kLinkUser0, "split");
  require_link_type(out.path(), out.linktype(), kLinkRaw, "split output");
  ToolReport report;
  std::vector<std::uint8_t> buffer;
  std::vector<std::span<std::uint8_t>> slots;
  std::vector<std::size_t> lengths;
  while (auto rec = in.next()) {
    ++report.records_in;
    const auto vr = split_vnet_record(rec->bytes);
    if (!vr) {
      report.rejected.push_back({rec->number, fmt::format("record of {} bytes is shorter than the {}-byte vnet header",
                                                          rec->bytes.size(), vnet::kHeaderSize)});
      continue;
    }
    if (vr->packet.empty()) {
      // The engine would pass it through as a packet of 0 bytes: written out, an empty record.
      report.rejected.push_back({rec->number, "a virtio-net header and no packet behind it"});
      continue;
    }
    const auto count = offload::gso_segment_count(vr->header, vr->packet);
    if (!count.ok()) {
      report.rejected.push_back({rec->number, offload::to_string(*count.error)});
      continue;
    }
    const std::size_t n = std::max<std::size_t>(count.segments, 1);
    const std::size_t slot = std::max<std::size_t>(slot_size(vr->header, vr->packet.size()), 1);
    buffer.assign(n * slot, 0);
    slots.clear();
    for (std::size_t i = 0; i < n; ++i) slots.push_back(std::span(buffer).subspan(i * slot, slot));
    lengths.assign(n, 0);
    const auto result = offload::gso_split(vr->header, vr->packet, slots, lengths);
    if (!result.ok()) {
      report.rejected.push_back({rec->number, offload::to_string(*result.error)});
      continue;
    }
    for (std::size_t i = 0; i < result.segments; ++i) {
      out.write(slots[i].first(lengths[i]), rec->timestamp);
      ++report.records_out;
    }
  }
  return report;
}

namespace {

// Owns one batch's input bytes: the table's outputs may point into them.
struct Batch {
  std::vector<std::vector<std::uint8_t>> packets;
  std::vector<timeval> timestamps;
  std::vector<std::span<const std::uint8_t>> views;

  void clear() {
    packets.clear();
    timestamps.clear();
    views.clear();
  }
};

bool is_ip(std::span<const std::uint8_t> p) { return !p.empty() && ((p[0] >> 4) == 4 || (p[0] >> 4) == 6); }

void flush(offload::GroTable& table, Batch& batch, PcapWriter& out, ToolReport& report) {
  if (batch.packets.empty()) return;
  for (const auto& p : batch.packets) batch.views.emplace_back(p);
  std::vector<std::uint8_t> record;
  for (const auto& o : table.coalesce(batch.views)) {
    // The output keeps the timestamp of the packet its bytes start with.
    timeval ts = batch.timestamps.front();
    for (std::size_t i = 0; i < batch.packets.size(); ++i)
      if (!o.bytes.empty() && o.bytes.data() == batch.packets[i].data()) ts = batch.timestamps[i];
    build_vnet_record(o.header, o.bytes, record);
    out.write(record, ts);
    ++report.records_out;
  }
  batch.clear();
}

}  // namespace

ToolReport coalesce_pcap(PcapReader& in, PcapWriter& out, std::size_t batch_size, offload::GroOptions options) {
  require_link_type(in.path(), in.linktype(), kLinkRaw, "coalesce");
  require_link_type(out.path(), out.linktype(), kLinkUser0, "coalesce output");
  ToolReport report;
  offload::GroTable table(options);
  Batch batch;
  while (auto rec = in.next()) {
    ++report.records_in;
    if (!is_ip(rec->bytes)) {
      report.rejected.push_back({rec->number, "not an IPv4/IPv6 packet"});
      continue;
    }
    if (rec->bytes.size() > 65535) {
      report.rejected.push_back({rec->number, fmt::format("{} bytes exceed an IP packet's 65535", rec->bytes.size())});
      continue;
    }
    batch.packets.emplace_back(rec->bytes.begin(), rec->bytes.end());
    batch.timestamps.push_back(rec->timestamp);
    if (batch_size != 0 && batch.packets.size() == batch_size) flush(table, batch, out, report);
  }
  flush(table, batch, out, report);
  return report;
}

}  // namespace pcapio

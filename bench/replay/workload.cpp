#include "workload.h"

#include <algorithm>
#include <stdexcept>

#include "offload/gso_split.h"
#include "packet/tcp_header.h"
#include "pcapio/link_type.h"
#include "pcapio/pcap_reader.h"
#include "pcapio/vnet_record.h"
#include "support/packet_builder.h"

namespace replay {

namespace {

// The super-packets of a capture split as a device without offloads would deliver them.
std::vector<Read> split_all(const std::vector<Read>& reads) {
  std::vector<Read> out;
  for (const Read& r : reads) {
    const offload::SplitResult n = offload::gso_segment_count(r.header, r.bytes);
    if (!n.ok())
      throw std::runtime_error(std::string("workload: a read the engine refuses: ") + offload::to_string(*n.error));
    std::vector<std::vector<std::uint8_t>> buffers(n.segments, std::vector<std::uint8_t>(r.bytes.size()));
    std::vector<std::span<std::uint8_t>> slots(buffers.begin(), buffers.end());
    std::vector<std::size_t> lengths(n.segments);
    const offload::SplitResult s = offload::gso_split(r.header, r.bytes, slots, lengths);
    if (!s.ok()) throw std::runtime_error(std::string("workload: split failed: ") + offload::to_string(*s.error));
    for (std::size_t i = 0; i < s.segments; ++i) {
      buffers[i].resize(lengths[i]);
      out.push_back(Read{{}, std::move(buffers[i])});
    }
  }
  return out;
}

std::vector<Read> load_pcap(const std::string& path) {
  pcapio::PcapReader reader(path);
  const bool vnet = reader.linktype() == pcapio::kLinkUser0;
  std::vector<Read> reads;
  while (auto rec = reader.next()) {
    if (!vnet) {
      reads.push_back(Read{{}, {rec->bytes.begin(), rec->bytes.end()}});
      continue;
    }
    const auto v = pcapio::split_vnet_record(rec->bytes);
    if (!v) throw std::runtime_error(path + ": a record shorter than a vnet header");
    reads.push_back(Read{v->header, {v->packet.begin(), v->packet.end()}});
  }
  return reads;
}

std::size_t segments_in(const std::vector<Read>& reads) {
  std::size_t n = 0;
  for (const Read& r : reads) n += segments_of(r.header, r.bytes);
  return n;
}

Workload captured(const std::string& name, const std::string& path) {
  Workload w;
  w.name = name;
  w.offload_reads = load_pcap(path);
  w.plain_reads = split_all(w.offload_reads);
  return w;
}

// A 64 KB TCPv4 super-packet (MSS 1448, timestamps), the largest read a TUN gives under bulk TCP,
// in a stream whose sequence numbers continue from one read to the next.
Workload super_packets() {
  Workload w;
  w.name = "super64k";
  tbtest::PacketSpec s;
  s.src = {10, 0, 1, 1};
  s.dst = {10, 0, 2, 1};
  s.sport = 40000;
  s.dport = 5201;
  s.tcp_options = {0x01, 0x01, 0x08, 0x0a, 1, 2, 3, 4, 5, 6, 7, 8};
  constexpr std::size_t kPayload = 1448 * 45;  // 45 segments: 65212 bytes of IPv4 total length
  for (std::uint32_t i = 0; i < 4; ++i) {
    s.payload = tbtest::pattern(kPayload, i + 1);
    s.seq = 1 + i * static_cast<std::uint32_t>(kPayload);
    s.id = static_cast<std::uint16_t>(100 + 45 * i);
    const tbtest::GsoPacket g = tbtest::make_gso(s, 1448);
    w.offload_reads.push_back(Read{g.header, g.bytes});
  }
  w.plain_reads = split_all(w.offload_reads);
  return w;
}

// The other direction of a bulk TCP transfer: the receiver's pure ACKs (one per two segments, with
// timestamps), which a forwarder passes one by one (nothing to coalesce).
Workload pure_acks() {
  Workload w;
  w.name = "ack-reverse";
  w.direction = 1;
  tbtest::PacketSpec s;
  s.src = {10, 0, 2, 1};
  s.dst = {10, 0, 1, 1};
  s.sport = 5201;
  s.dport = 40000;
  s.flags = packet::TcpHeader::kAckFlag;
  s.tcp_options = {0x01, 0x01, 0x08, 0x0a, 1, 2, 3, 4, 5, 6, 7, 8};
  for (std::uint32_t i = 0; i < 64; ++i) {
    s.ack = 1 + i * 2 * 1448;
    s.id = static_cast<std::uint16_t>(7000 + i);
    w.offload_reads.push_back(Read{{}, tbtest::build(s)});
  }
  w.plain_reads = w.offload_reads;
  return w;
}

}  // namespace

std::size_t segments_of(const vnet::VnetHeader& header, const std::vector<std::uint8_t>& bytes) {
  if (!header.is_gso()) return 1;
  const offload::SplitResult n = offload::gso_segment_count(header, bytes);
  return n.ok() ? n.segments : 1;
}

std::size_t gathered_segments_of(const vnet::VnetHeader& header, std::size_t size) {
  if (!header.is_gso() || header.gso_size == 0 || size <= header.hdr_len) return 1;
  return (size - header.hdr_len + header.gso_size - 1) / header.gso_size;
}

std::size_t payload_of(const std::vector<std::uint8_t>& bytes) {
  if (bytes.empty()) return 0;
  std::size_t l4 = 0;
  std::uint8_t proto = 0;
  if (bytes[0] >> 4 == 4 && bytes.size() >= 20) {
    l4 = static_cast<std::size_t>(bytes[0] & 0x0f) * 4;
    proto = bytes[9];
  } else if (bytes[0] >> 4 == 6 && bytes.size() >= 40) {
    l4 = 40;  // the workloads carry no IPv6 extension headers
    proto = bytes[6];
  } else {
    return 0;
  }
  std::size_t l4_header = 0;
  if (proto == 6 && bytes.size() >= l4 + 13) l4_header = static_cast<std::size_t>(bytes[l4 + 12] >> 4) * 4;
  if (proto == 17) l4_header = 8;
  return bytes.size() > l4 + l4_header ? bytes.size() - l4 - l4_header : 0;
}

std::vector<Workload> all_workloads(const std::string& fixtures, std::size_t segments) {
  std::vector<Workload> base;
  for (const char* proto : {"tcp4", "tcp6", "udp4"}) {
    base.push_back(captured(std::string(proto) + "-gso", fixtures + "/captured_" + proto + "_gso.pcap"));
    base.push_back(captured(std::string(proto) + "-plain", fixtures + "/captured_" + proto + "_plain.pcap"));
  }
  base.push_back(pure_acks());
  base.push_back(super_packets());
  // Real traffic does not always arrive in full batches: the TCPv4 streams again, read 1 and 4
  // packets at a time.
  std::vector<Workload> out;
  for (Workload& w : base) {
    const bool tcp4 = w.name == "tcp4-gso" || w.name == "tcp4-plain";
    if (tcp4) {
      for (std::size_t b : {1, 4}) {
        Workload small = w;
        small.name += "-b" + std::to_string(b);
        small.batch = b;
        out.push_back(std::move(small));
      }
    }
    out.push_back(std::move(w));
  }
  for (Workload& w : out) {
    const std::size_t per_pass = std::max<std::size_t>(1, segments_in(w.offload_reads));
    w.repeat = std::max<std::size_t>(1, (segments + per_pass - 1) / per_pass);
  }
  return out;
}

}  // namespace replay

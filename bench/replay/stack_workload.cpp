#include "stack_workload.h"

#include <algorithm>
#include <stdexcept>

#include "packet/encode.h"
#include "packet/tcp_header.h"
#include "packet/udp_header.h"
#include "packet/view.h"
#include "stack/tcp_options.h"

namespace replay {

namespace {

std::size_t packets_for(std::size_t segments, std::size_t per_packet) {
  return std::max<std::size_t>(1, (segments + per_packet - 1) / per_packet);
}

// Payload bytes: a fixed pattern, different per packet so no two are alike.
void fill(std::span<std::uint8_t> out, std::size_t salt) {
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<std::uint8_t>(i * 31 + salt * 7 + 1);
}

packet::IpFields client_ip(const stack::FlowKey& flow) {
  packet::IpFields ip;
  ip.version = flow.version;
  ip.src = flow.client;
  ip.dst = flow.server;
  return ip;
}

}  // namespace

stack::FlowKey stack_flow(int version, std::uint8_t protocol) {
  stack::FlowKey k;
  k.version = static_cast<std::uint8_t>(version);
  k.protocol = protocol;
  if (version == 4) {
    k.client = {10, 0, 1, 1};
    k.server = {10, 0, 2, 1};
  } else {
    k.client = {0xfd, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    k.server = {0xfd, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  }
  k.client_port = 40000;
  k.server_port = 5201;
  return k;
}

std::uint16_t stack_mss(int version) { return version == 4 ? 1460 : 1440; }

Read client_tcp(const stack::FlowKey& flow, const ClientSegment& s) {
  packet::TcpFields t;
  t.src_port = flow.client_port;
  t.dst_port = flow.server_port;
  t.seq = s.seq;
  t.ack = s.ack;
  t.flags = s.flags;
  t.window = s.window;
  t.options = s.options;
  const std::size_t headers = packet::tcp_headers_size(flow.version, s.options.size());
  Read r;
  r.bytes.resize(headers + s.payload);
  fill(std::span<std::uint8_t>(r.bytes).subspan(headers), s.seq);
  const std::size_t length =
      packet::encode_tcp(r.bytes, client_ip(flow), t, s.payload,
                         s.full_checksum ? packet::L4Checksum::kFull : packet::L4Checksum::kPartial);
  if (length != r.bytes.size()) throw std::runtime_error("stack workload: a TCP segment that does not encode");
  if (!s.full_checksum) {
    r.header.flags = vnet::kFlagNeedsCsum;
    r.header.csum_start = static_cast<std::uint16_t>(packet::ip_header_size(flow.version));
    r.header.csum_offset = static_cast<std::uint16_t>(packet::TcpHeader::kChecksumOffset);
    if (s.gso_size != 0 && s.payload > s.gso_size) {
      r.header.gso_type = flow.version == 4 ? vnet::kGsoTcpV4 : vnet::kGsoTcpV6;
      r.header.gso_size = s.gso_size;
      r.header.hdr_len = static_cast<std::uint16_t>(headers);
    }
  }
  return r;
}

Read client_udp(const stack::FlowKey& flow, std::size_t payload, std::uint16_t gso_size, bool full_checksum) {
  const packet::UdpFields u{flow.client_port, flow.server_port};
  const std::size_t headers = packet::udp_headers_size(flow.version);
  const bool uso = gso_size != 0 && payload > gso_size;
  Read r;
  r.bytes.resize(headers + payload);
  fill(std::span<std::uint8_t>(r.bytes).subspan(headers), payload);
  const std::size_t length =
      packet::encode_udp(r.bytes, client_ip(flow), u, payload,
                         full_checksum && !uso ? packet::L4Checksum::kFull : packet::L4Checksum::kPartial);
  if (length != r.bytes.size()) throw std::runtime_error("stack workload: a UDP datagram that does not encode");
  if (uso || !full_checksum) {
    r.header.flags = vnet::kFlagNeedsCsum;
    r.header.csum_start = static_cast<std::uint16_t>(packet::ip_header_size(flow.version));
    r.header.csum_offset = static_cast<std::uint16_t>(packet::UdpHeader::kChecksumOffset);
  }
  if (uso) {
    r.header.gso_type = vnet::kGsoUdpL4;
    r.header.gso_size = gso_size;
    r.header.hdr_len = static_cast<std::uint16_t>(headers);
  }
  return r;
}

std::vector<std::uint8_t> client_syn_options(std::uint16_t mss, std::uint32_t ts_val, std::uint8_t shift) {
  std::vector<std::uint8_t> b = {stack::kOptMss,
                                 4,
                                 static_cast<std::uint8_t>(mss >> 8),
                                 static_cast<std::uint8_t>(mss),
                                 stack::kOptNop,
                                 stack::kOptNop,
                                 stack::kOptSackPermitted,
                                 2};
  const std::vector<std::uint8_t> ts = client_ts_option(ts_val, 0);
  b.insert(b.end(), ts.begin(), ts.end());
  b.insert(b.end(), {stack::kOptNop, stack::kOptWindowScale, 3, shift});
  return b;
}

std::vector<std::uint8_t> client_ts_option(std::uint32_t ts_val, std::uint32_t ts_ecr) {
  std::vector<std::uint8_t> b(stack::kTimestampOptionSize);
  stack::write_timestamps(ts_val, ts_ecr, std::span<std::uint8_t, stack::kTimestampOptionSize>(b.data(), b.size()));
  return b;
}

std::vector<Read> tcp_upload(const StackWorkload& w, const stack::FlowKey& flow, std::uint32_t seq, std::uint32_t ack,
                             std::uint16_t window, std::uint32_t ts_val, std::uint32_t ts_ecr) {
  std::vector<Read> out;
  out.reserve(w.packets);
  ClientSegment s;
  s.ack = ack;
  s.flags = packet::TcpHeader::kAckFlag;
  s.window = window;
  s.options = client_ts_option(ts_val, ts_ecr);
  s.payload = w.per_packet * w.segment_payload;
  s.gso_size = w.per_packet > 1 ? static_cast<std::uint16_t>(w.segment_payload) : 0;
  s.full_checksum = w.full_checksum;
  for (std::size_t i = 0; i < w.packets; ++i) {
    s.seq = seq;
    out.push_back(client_tcp(flow, s));
    seq += static_cast<std::uint32_t>(s.payload);
  }
  return out;
}

std::vector<Read> udp_upload(const StackWorkload& w, const stack::FlowKey& flow) {
  std::vector<Read> out;
  out.reserve(w.packets);
  const auto gso = w.per_packet > 1 ? static_cast<std::uint16_t>(w.segment_payload) : std::uint16_t{0};
  for (std::size_t i = 0; i < w.packets; ++i)
    out.push_back(client_udp(flow, w.per_packet * w.segment_payload, gso, w.full_checksum));
  return out;
}

std::vector<StackWorkload> stack_workloads(std::size_t segments) {
  std::vector<StackWorkload> out;
  auto add = [&](std::string name, StackTraffic traffic, int version, std::size_t per_packet, std::size_t batch,
                 bool full_checksum) {
    StackWorkload w;
    w.name = std::move(name);
    w.traffic = traffic;
    w.version = version;
    const bool tcp = traffic == StackTraffic::kTcpUpload || traffic == StackTraffic::kTcpDownload;
    // TCP: the MSS less the timestamps option (on every segment); UDP: what an MTU of 1500 carries.
    w.segment_payload =
        tcp ? stack_mss(version) - stack::kTimestampOptionSize : (version == 4 ? std::size_t{1472} : std::size_t{1452});
    w.per_packet = per_packet;
    w.batch = batch;
    w.full_checksum = full_checksum;
    w.packets = packets_for(segments, per_packet);
    out.push_back(std::move(w));
  };
  using enum StackTraffic;
  for (int v : {4, 6}) {
    const std::string ip = std::to_string(v);
    add("tcp" + ip + "-up-gso", kTcpUpload, v, kTsoSegments, 4, false);
    add("tcp" + ip + "-up-mss", kTcpUpload, v, 1, 16, false);
  }
  add("tcp4-up-mss-csum", kTcpUpload, 4, 1, 16, true);
  add("tcp4-down", kTcpDownload, 4, kTsoSegments, 4, false);
  add("tcp6-down", kTcpDownload, 6, kTsoSegments, 4, false);
  add("udp4-up", kUdpUpload, 4, 1, 16, true);
  add("udp4-up-gso", kUdpUpload, 4, kUsoDatagrams, 4, false);
  add("udp4-down-gro", kUdpDownload, 4, kUsoDatagrams, 4, false);
  return out;
}

}  // namespace replay

#include "check/crafted_super_packets.h"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include "packet/encode.h"
#include "packet/tcp_header.h"

namespace check {
namespace {

using packet::TcpHeader;

// Below crafted_packets.cpp's source port: each super-packet is a flow of its own.
constexpr std::uint16_t kSuperSourcePort = 39000;

// client_to_server() with its own IPv4 ID, so the IDs of split segments stand out from other cases'.
packet::IpFields ip_of(const CraftedEnds& e, int version) {
  auto ip = client_to_server(e, version);
  ip.id = 0x3000;
  return ip;
}

std::string flag_names(std::uint8_t flags) {
  std::string s;
  for (const auto& [bit, name] : {std::pair{TcpHeader::kCwr, "CWR"},
                                  {TcpHeader::kEce, "ECE"},
                                  {TcpHeader::kPsh, "PSH"},
                                  {TcpHeader::kFin, "FIN"}})
    if (flags & bit) s += std::string(" ") + name;
  return s;
}

// Payload of `segments` pieces of `size` bytes (the last `last` bytes), each led by its tag.
void fill_segments(std::span<std::uint8_t> payload, std::size_t size, std::uint16_t port, std::uint16_t first_index) {
  for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<std::uint8_t>(i * 7 + 3);
  for (std::size_t at = 0, k = 0; at < payload.size(); at += size, ++k) {
    const auto tag = crafted_tag(port, static_cast<std::uint16_t>(first_index + k));
    std::copy_n(tag.begin(), std::min(tag.size(), payload.size() - at),
                payload.begin() + static_cast<std::ptrdiff_t>(at));
  }
}

CraftedSuperPacket super_packet(std::string name, std::size_t headers, std::size_t payload, std::size_t gso_size,
                                std::uint8_t gso_type, std::uint16_t csum_offset, std::size_t ip_headers) {
  CraftedSuperPacket s;
  s.vnet.flags = vnet::kFlagNeedsCsum;
  s.vnet.gso_type = gso_type;
  s.vnet.hdr_len = static_cast<std::uint16_t>(headers);
  s.vnet.gso_size = static_cast<std::uint16_t>(gso_size);
  s.vnet.csum_start = static_cast<std::uint16_t>(ip_headers);
  s.vnet.csum_offset = csum_offset;
  s.bytes.resize(headers + payload);
  const std::size_t segments = (payload + gso_size - 1) / gso_size;
  for (std::size_t k = 0; k < segments; ++k)
    s.segment_names.push_back(fmt::format("{}, segment {} of {}", name, k + 1, segments));
  s.name = std::move(name);
  return s;
}

}  // namespace

CraftedSuperPacket tcp_super_packet(const CraftedEnds& ends, int version, std::size_t mtu, std::uint16_t first_index,
                                    std::size_t full_segments, std::size_t short_tail, std::uint8_t flags,
                                    bool timestamps) {
  // Kind 8 (timestamps), NOP-padded: 12 bytes, the usual options of a data segment.
  static constexpr std::uint8_t kTimestamps[12] = {1, 1, 8, 10, 0, 0, 0x12, 0x34, 0, 0, 0x56, 0x78};
  const auto ip = ip_of(ends, version);
  const std::span<const std::uint8_t> options =
      timestamps ? std::span<const std::uint8_t>(kTimestamps) : std::span<const std::uint8_t>();
  const std::size_t headers = packet::tcp_headers_size(ip, options.size());
  const std::size_t mss = mtu - headers;
  const std::size_t payload = full_segments * mss + short_tail;
  auto s = super_packet(fmt::format("TCP/IPv{}, {} × {} bytes{}{}{}", version, full_segments, mss,
                                    short_tail ? fmt::format(" + {}", short_tail) : "", flag_names(flags),
                                    timestamps ? ", timestamps" : ""),
                        headers, payload, mss, version == 4 ? vnet::kGsoTcpV4 : vnet::kGsoTcpV6, 16,
                        packet::ip_headers_size(ip));
  fill_segments(std::span(s.bytes).subspan(headers), mss, ends.port, first_index);
  packet::TcpFields t;
  t.src_port = static_cast<std::uint16_t>(kSuperSourcePort + first_index % 1000);
  t.dst_port = ends.port;
  t.seq = 0x10000u * (1u + first_index);
  t.ack = 0x2000'0001;
  t.flags = flags;
  t.window = 502;
  t.options = options;
  if (packet::encode_tcp(s.bytes, ip, t, payload, packet::L4Checksum::kPartial) != s.bytes.size())
    throw std::logic_error("tcp_super_packet: encode_tcp refused the shape");
  return s;
}

std::vector<CraftedSuperPacket> tcp_super_packets(const CraftedEnds& ends, int version, std::size_t mtu,
                                                  std::uint16_t first_index) {
  std::vector<CraftedSuperPacket> out;
  std::uint16_t index = first_index;
  const auto add = [&](std::size_t full, std::size_t tail, std::uint8_t flags, bool timestamps) {
    out.push_back(tcp_super_packet(ends, version, mtu, index, full, tail, flags, timestamps));
    index = static_cast<std::uint16_t>(index + out.back().segment_names.size());
  };
  add(8, 0, TcpHeader::kAckFlag | TcpHeader::kCwr | TcpHeader::kEce | TcpHeader::kPsh | TcpHeader::kFin, false);
  add(4, 100, TcpHeader::kAckFlag | TcpHeader::kPsh, false);
  add(3, 0, TcpHeader::kAckFlag, true);
  return out;
}

std::vector<CraftedSuperPacket> udp_super_packets(const CraftedEnds& ends, std::size_t mtu, std::uint16_t first_index) {
  std::vector<CraftedSuperPacket> out;
  std::uint16_t index = first_index;
  for (const int version : {4, 6}) {
    const auto ip = ip_of(ends, version);
    const std::size_t headers = packet::udp_headers_size(ip);
    const std::size_t full = mtu - headers;
    struct Shape {
      std::size_t count;
      std::size_t size;
      std::size_t short_tail;
    };
    for (const auto& shape : {Shape{7, full, full / 3}, Shape{vnet::kUdpMaxSegments, 100, 0}}) {
      const std::size_t payload = shape.count * shape.size + shape.short_tail;
      auto s = super_packet(fmt::format("UDP/IPv{}, {} × {} bytes{}", version, shape.count, shape.size,
                                        shape.short_tail ? fmt::format(" + {}", shape.short_tail) : ""),
                            headers, payload, shape.size, vnet::kGsoUdpL4, 6, packet::ip_headers_size(ip));
      fill_segments(std::span(s.bytes).subspan(headers), shape.size, ends.port, index);
      const packet::UdpFields u{kSuperSourcePort, ends.port};
      // The UDP length of a super-packet is the whole one's; the split gives each its own.
      if (packet::encode_udp(s.bytes, ip, u, payload, packet::L4Checksum::kPartial) != s.bytes.size())
        throw std::logic_error("udp_super_packets: encode_udp refused a shape");
      index = static_cast<std::uint16_t>(index + s.segment_names.size());
      out.push_back(std::move(s));
    }
  }
  return out;
}

}  // namespace check

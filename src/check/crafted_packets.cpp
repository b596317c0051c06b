#include "check/crafted_packets.h"

#include <arpa/inet.h>

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include "packet/bytes.h"
#include "packet/encode.h"
#include "packet/tcp_header.h"
#include "packet/view.h"

namespace check {
namespace {

using Bytes = std::vector<std::uint8_t>;
using packet::TcpHeader;

constexpr std::array<std::uint8_t, 4> kTagMagic = {'T', 'B', 0xC7, 0xAF};
constexpr std::uint16_t kSourcePort = 40000;

std::array<std::uint8_t, 16> address_bytes(const std::string& text, int version) {
  std::array<std::uint8_t, 16> a{};
  if (::inet_pton(version == 4 ? AF_INET : AF_INET6, text.c_str(), a.data()) != 1)
    throw std::invalid_argument(fmt::format("not an IPv{} address: {}", version, text));
  return a;
}

// IP fields client → server for IP version `version`.
packet::IpFields client_to_server(const CraftedEnds& e, int version) {
  packet::IpFields ip;
  ip.version = version;
  ip.src = address_bytes(version == 4 ? e.client : e.client6, version);
  ip.dst = address_bytes(version == 4 ? e.server : e.server6, version);
  ip.id = 0x4000;
  return ip;
}

// The tag of `index` followed by `size` − 8 bytes that differ from packet to packet.
void fill_payload(std::span<std::uint8_t> payload, std::uint16_t port, std::uint16_t index) {
  const auto tag = crafted_tag(port, index);
  std::copy_n(tag.begin(), std::min(payload.size(), tag.size()), payload.begin());
  for (std::size_t i = tag.size(); i < payload.size(); ++i)
    payload[i] = static_cast<std::uint8_t>(i * 7 + index * 13 + 1);
}

// Packets are numbered in the order they are added: the number is the tag's index.
class PacketList {
 public:
  explicit PacketList(std::uint16_t port) : port_(port) {}

  void udp(std::string name, const packet::IpFields& ip, std::size_t payload_size) {
    Bytes b(packet::udp_headers_size(ip) + payload_size);
    fill_payload(std::span(b).subspan(b.size() - payload_size), port_, next_index());
    const packet::UdpFields u{kSourcePort, port_};
    const auto length = packet::encode_udp(b, ip, u, payload_size, packet::L4Checksum::kFull);
    add(std::move(name), std::move(b), length);
  }

  void tcp(std::string name, const packet::IpFields& ip, std::size_t payload_size, std::uint32_t seq,
           std::uint8_t flags = TcpHeader::kAckFlag, std::uint16_t source_port = kSourcePort) {
    Bytes b(packet::tcp_headers_size(ip, 0) + payload_size);
    fill_payload(std::span(b).subspan(b.size() - payload_size), port_, next_index());
    packet::TcpFields t;
    t.src_port = source_port;
    t.dst_port = port_;
    t.seq = seq;
    t.ack = 0x1000'0001;
    t.flags = flags;
    t.window = 502;
    const auto length = packet::encode_tcp(b, ip, t, payload_size, packet::L4Checksum::kFull);
    add(std::move(name), std::move(b), length);
  }

  void echo(std::string name, const packet::IpFields& ip, std::size_t payload_size) {
    Bytes b(packet::icmp_echo_headers_size(ip) + payload_size);
    const auto index = next_index();
    fill_payload(std::span(b).subspan(b.size() - payload_size), port_, index);
    const packet::IcmpEchoFields e{false, port_, index};
    const auto length = packet::encode_icmp_echo(b, ip, e, payload_size);
    add(std::move(name), std::move(b), length);
  }

  std::vector<CraftedPacket>& packets() { return packets_; }
  std::vector<CraftedPacket> take() { return std::move(packets_); }

 private:
  std::uint16_t next_index() const { return static_cast<std::uint16_t>(packets_.size()); }
  void add(std::string name, Bytes b, std::size_t length) {
    // Only a malformed spec of this file makes the encoder refuse: a bug, not a finding.
    if (length != b.size()) throw std::logic_error("crafted packet does not encode: " + name);
    packets_.push_back({std::move(name), std::move(b)});
  }

  std::uint16_t port_;
  std::vector<CraftedPacket> packets_;
};

// Puts a wrong value into the checksum field at `at`: one more, except that 0xFFFF + 1 = 0x0000
// verifies like 0xFFFF (and is "no checksum" in UDP), so that one becomes 0x0001.
void break_checksum(std::uint8_t* at) {
  const std::uint16_t was = packet::load_be16(at);
  packet::store_be16(at, static_cast<std::uint16_t>(was + (was == 0xFFFF ? 2 : 1)));
}

void break_l4_checksum(CraftedPacket& p, std::size_t l4_offset, std::size_t field) {
  break_checksum(p.bytes.data() + l4_offset + field);
}

}  // namespace

std::array<std::uint8_t, kTagSize> crafted_tag(std::uint16_t port, std::uint16_t index) {
  std::array<std::uint8_t, kTagSize> t{};
  std::copy(kTagMagic.begin(), kTagMagic.end(), t.begin());
  packet::store_be16(t.data() + 4, port);
  packet::store_be16(t.data() + 6, index);
  return t;
}

std::vector<std::uint16_t> tags_in(std::span<const std::uint8_t> bytes, std::uint16_t port) {
  std::vector<std::uint16_t> found;
  for (std::size_t i = 0; i + kTagSize <= bytes.size(); ++i) {
    if (!std::equal(kTagMagic.begin(), kTagMagic.end(), bytes.begin() + static_cast<std::ptrdiff_t>(i))) continue;
    if (packet::load_be16(bytes.data() + i + 4) != port) continue;
    found.push_back(packet::load_be16(bytes.data() + i + 6));
    i += kTagSize - 1;
  }
  return found;
}

std::vector<CraftedPacket> ipv4_options_packets(const CraftedEnds& ends) {
  // NOP, then a timestamp option with room for two timestamps (type 68, length 12, pointer 5,
  // flag 0: timestamps only), then EOL padding: 16 bytes, IHL 9.
  static constexpr std::array<std::uint8_t, 16> kTimestamp = {1, 68, 12, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  // NOP, then record route with room for two addresses (type 7, length 11, pointer 4): IHL 8.
  static constexpr std::array<std::uint8_t, 12> kRecordRoute = {1, 7, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0};
  PacketList list(ends.port);
  auto ip = client_to_server(ends, 4);
  for (const auto& [options, what] : {std::pair{std::span<const std::uint8_t>(kTimestamp), "NOP + timestamp"},
                                      std::pair{std::span<const std::uint8_t>(kRecordRoute), "NOP + record route"}}) {
    ip.ipv4_options = options;
    ++ip.id;
    list.udp(fmt::format("UDP, IPv4 options {}", what), ip, 100);
    ++ip.id;
    list.tcp(fmt::format("TCP, IPv4 options {}", what), ip, 300, 1000);
  }
  return list.take();
}

std::vector<CraftedPacket> ipv6_extension_packets(const CraftedEnds& ends) {
  // PadN (type 1) filling the header to 8 or 16 bytes: options every node skips.
  static constexpr std::array<std::uint8_t, 6> kPad8 = {1, 4, 0, 0, 0, 0};
  static constexpr std::array<std::uint8_t, 14> kPad16 = {1, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  const packet::Ipv6Extension hop_by_hop{packet::kProtoHopByHop, kPad8};
  const packet::Ipv6Extension destination{packet::kProtoDestOpts, kPad8};
  const packet::Ipv6Extension destination16{packet::kProtoDestOpts, kPad16};
  const std::array<packet::Ipv6Extension, 1> hbh_only = {hop_by_hop};
  const std::array<packet::Ipv6Extension, 2> hbh_dst = {hop_by_hop, destination};
  const std::array<packet::Ipv6Extension, 1> dst_only = {destination16};
  PacketList list(ends.port);
  auto ip = client_to_server(ends, 6);
  ip.ipv6_extensions = hbh_only;
  list.udp("UDP behind hop-by-hop", ip, 100);
  list.tcp("TCP behind hop-by-hop", ip, 300, 1000);
  ip.ipv6_extensions = hbh_dst;
  list.udp("UDP behind hop-by-hop + destination options", ip, 100);
  list.tcp("TCP behind hop-by-hop + destination options", ip, 300, 2000);
  ip.ipv6_extensions = dst_only;
  list.udp("UDP behind 16-byte destination options", ip, 100);
  list.tcp("TCP behind 16-byte destination options", ip, 300, 3000);
  return list.take();
}

std::vector<CraftedPacket> echo_requests(const CraftedEnds& ends, std::size_t mtu) {
  PacketList list(ends.port);
  for (const int version : {4, 6}) {
    auto ip = client_to_server(ends, version);
    const std::size_t headers = packet::icmp_echo_headers_size(ip);
    const std::size_t largest = mtu > headers ? mtu - headers : 0;
    for (const std::size_t size : {kTagSize, std::size_t{56}, std::size_t{1000}, largest}) {
      if (size > largest || size < kTagSize) continue;
      ++ip.id;
      list.echo(fmt::format("ICMP{} echo request, {} bytes of data", version == 6 ? "v6" : "", size), ip, size);
    }
  }
  return list.take();
}

std::vector<CraftedPacket> bad_checksum_packets(const CraftedEnds& ends) {
  PacketList list(ends.port);
  for (const int version : {4, 6}) {
    auto ip = client_to_server(ends, version);
    const std::size_t l4 = packet::ip_headers_size(ip);
    const auto v = version == 6 ? "IPv6" : "IPv4";
    list.udp(fmt::format("UDP/{}, UDP checksum off by one", v), ip, 100);
    break_l4_checksum(list.packets().back(), l4, 6);
    ++ip.id;
    list.tcp(fmt::format("TCP/{}, TCP checksum off by one", v), ip, 300, 1000);
    break_l4_checksum(list.packets().back(), l4, TcpHeader::kChecksumOffset);
    ++ip.id;
  }
  // The UDP checksum right, the IPv4 header checksum wrong: the receiving kernel drops it, the
  // forwarder must not repair it.
  auto ip = client_to_server(ends, 4);
  list.udp("UDP/IPv4, IPv4 header checksum off by one", ip, 100);
  break_checksum(list.packets().back().bytes.data() + 10);
  return list.take();
}

std::vector<CraftedPacket> uncoalescable_runs(const CraftedEnds& ends) {
  constexpr std::size_t kSegment = 200;
  constexpr std::size_t kRun = 4;
  PacketList list(ends.port);
  struct Run {
    int version;
    const char* what;
    // Sets segment i's differing field.
    void (*vary)(packet::IpFields& ip, std::uint8_t& flags, std::size_t i);
  };
  const Run runs[] = {
      {4, "TTL", [](packet::IpFields& ip, std::uint8_t&, std::size_t i) { ip.ttl = i % 2 ? 63 : 64; }},
      {4, "TOS", [](packet::IpFields& ip, std::uint8_t&, std::size_t i) { ip.tos = i % 2 ? 0x28 : 0; }},
      // The ID repeats, steps back and jumps: never head ID + position (DF set).
      {4, "IPv4 ID",
       [](packet::IpFields& ip, std::uint8_t&, std::size_t i) {
         static constexpr std::uint16_t kIds[kRun] = {0x5000, 0x5000, 0x4FFF, 0x6000};
         ip.id = kIds[i];
       }},
      // PSH on the second: the first two may form a run, nothing after may join it.
      {4, "PSH in the middle",
       [](packet::IpFields&, std::uint8_t& flags, std::size_t i) {
         flags = TcpHeader::kAckFlag | (i == 1 ? TcpHeader::kPsh : 0);
       }},
      {6, "hop limit", [](packet::IpFields& ip, std::uint8_t&, std::size_t i) { ip.ttl = i % 2 ? 63 : 64; }},
      {6, "traffic class", [](packet::IpFields& ip, std::uint8_t&, std::size_t i) { ip.tos = i % 2 ? 0x28 : 0; }},
      {6, "flow label",
       [](packet::IpFields& ip, std::uint8_t&, std::size_t i) {
         ip.flow_label = 0x12340 + static_cast<std::uint32_t>(i % 2);
       }},
  };
  std::uint16_t source_port = kSourcePort;
  for (const auto& run : runs) {
    ++source_port;  // a flow of its own per run
    for (std::size_t i = 0; i < kRun; ++i) {
      auto ip = client_to_server(ends, run.version);
      ip.id = static_cast<std::uint16_t>(0x2000 + i);  // counting up, unless the run varies it
      std::uint8_t flags = TcpHeader::kAckFlag;
      run.vary(ip, flags, i);
      list.tcp(fmt::format("IPv{} run varying {}, segment {} of {}", run.version, run.what, i + 1, kRun), ip, kSegment,
               static_cast<std::uint32_t>(1000 + i * kSegment), flags, source_port);
    }
  }
  return list.take();
}

}  // namespace check

#include "check/crafted_packets.h"

#include <arpa/inet.h>

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include "packet/bytes.h"
#include "packet/checksum.h"
#include "packet/encode.h"
#include "packet/fragment.h"
#include "packet/ip_packet.h"
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

// Bytes that differ from packet to packet and never contain a tag (neighbours differ by 7, the
// tag's magic by other steps).
void fill_pattern(std::span<std::uint8_t> payload, std::uint16_t index) {
  for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<std::uint8_t>(i * 7 + index * 13 + 1);
}

void put_tag(std::span<std::uint8_t> at, std::uint16_t port, std::uint16_t index) {
  const auto tag = crafted_tag(port, index);
  std::copy_n(tag.begin(), std::min(at.size(), tag.size()), at.begin());
}

// The tag of `index` followed by `size` − 8 bytes that differ from packet to packet.
void fill_payload(std::span<std::uint8_t> payload, std::uint16_t port, std::uint16_t index) {
  fill_pattern(payload, index);
  put_tag(payload, port, index);
}

// Sets the urgent pointer of a TCP packet and completes its checksum again.
void set_urgent_pointer(std::vector<std::uint8_t>& p, std::uint16_t pointer) {
  const auto parsed = packet::parse_ip(p);
  if (!parsed.ok) throw std::logic_error("crafted packet does not parse");
  const auto l4 = std::span(p).subspan(parsed.layers.l4_offset);
  const TcpHeader tcp(l4);
  tcp.set_urgent(pointer);
  tcp.set_checksum(0);
  const auto pseudo = packet::pseudo_header_sum(parsed.layers, static_cast<std::uint32_t>(l4.size()));
  tcp.set_checksum(packet::finish(packet::sum_bytes(l4, pseudo)));
}

// Packets are numbered in the order they are added: the number is the tag's index.
class PacketList {
 public:
  explicit PacketList(std::uint16_t port) : port_(port) {}

  // Where a packet's tag goes: at the start of its payload, or in a header the caller filled in
  // (then the payload is pattern only).
  enum class Tag { kInPayload, kInHeader };

  void udp(std::string name, const packet::IpFields& ip, std::size_t payload_size, Tag tag = Tag::kInPayload,
           std::uint16_t source_port = kSourcePort) {
    auto b = udp_bytes(ip, payload_size, tag, source_port, next_index());
    add(std::move(name), std::move(b));
  }

  void tcp(std::string name, const packet::IpFields& ip, std::size_t payload_size, std::uint32_t seq,
           std::uint8_t flags = TcpHeader::kAckFlag, std::uint16_t source_port = kSourcePort,
           std::span<const std::uint8_t> options = {}, Tag tag = Tag::kInPayload) {
    packet::TcpFields t = tcp_fields(seq, flags, source_port);
    t.options = options;
    auto b = tcp_bytes(ip, t, payload_size, tag, next_index());
    add(std::move(name), std::move(b));
  }

  // A UDP datagram or TCP segment (`tcp`) with `payload_size` bytes cut into fragments of
  // `fragment_size` bytes of data (IPv6: with `identification`), one crafted packet each; the
  // payload holds each fragment's tag where that fragment's data starts (the first's after the
  // L4 header). `ip` must not set DF, and IPv6 extension headers must all be unfragmentable.
  void fragmented(const std::string& what, const packet::IpFields& ip, bool tcp, std::size_t payload_size,
                  std::size_t fragment_size, std::uint32_t identification = 0) {
    const std::size_t l3 = packet::ip_headers_size(ip);
    const std::size_t l4_header = (tcp ? packet::tcp_headers_size(ip, 0) : packet::udp_headers_size(ip)) - l3;
    const std::size_t l4 = l4_header + payload_size;
    const std::size_t count = (l4 + fragment_size - 1) / fragment_size;
    Bytes b(l3 + l4);
    auto payload = std::span(b).subspan(l3 + l4_header);
    const auto first = next_index();
    fill_pattern(payload, first);
    for (std::size_t k = 0; k < count; ++k)
      put_tag(payload.subspan(k == 0 ? 0 : k * fragment_size - l4_header), port_,
              static_cast<std::uint16_t>(first + k));
    encode(b, ip, tcp, payload_size);
    const auto pieces = ip.version == 4 ? packet::fragment_ipv4(b, fragment_size)
                                        : packet::fragment_ipv6(b, fragment_size, identification);
    if (pieces.size() != count) throw std::logic_error("crafted datagram does not fragment: " + what);
    for (std::size_t k = 0; k < count; ++k)
      if (tags_in(pieces[k], port_) != std::vector<std::uint16_t>{static_cast<std::uint16_t>(first + k)})
        throw std::logic_error("crafted fragment does not carry its own tag: " + what);
    for (std::size_t k = 0; k < count; ++k)
      add(fmt::format("{}, fragment {} of {} ({} bytes of data at offset {})", what, k + 1, count,
                      std::min(fragment_size, l4 - k * fragment_size), k * fragment_size),
          pieces[k]);
  }

  // A lone later fragment (data offset 64) whose data reads as a whole UDP datagram or TCP
  // segment (`tcp`) of the case's flow if the fragment fields are ignored: a header with the
  // case's ports, a length or `fake_seq`, and a checksum that holds for it, then the tag (TCP: and
  // 4 more bytes). A TCP one is a middle fragment (MF/M set), a UDP one the last.
  void lone_fragment(const std::string& what, const packet::IpFields& ip, bool tcp, std::uint32_t fake_seq,
                     std::uint32_t identification = 0) {
    constexpr std::size_t kOffset = 64;
    constexpr std::size_t kFragment = 32;
    const auto index = next_index();
    // What the fragment's data must look like: the L4 part of a packet of its own.
    const std::size_t fake_payload = tcp ? kTagSize + 4 : kTagSize;
    packet::IpFields plain = ip;
    plain.ipv6_extensions = {};
    auto fake = tcp ? tcp_bytes(plain, tcp_fields(fake_seq, TcpHeader::kAckFlag, kSourcePort), fake_payload,
                                Tag::kInPayload, index)
                    : udp_bytes(plain, fake_payload, Tag::kInPayload, kSourcePort, index);
    const auto fake_l4 = std::span<const std::uint8_t>(fake).subspan(packet::ip_headers_size(plain));
    // The real datagram: its L4 data holds the fake at kOffset (and, for TCP, more after it).
    const std::size_t l3 = packet::ip_headers_size(ip);
    const std::size_t l4_header = (tcp ? packet::tcp_headers_size(ip, 0) : packet::udp_headers_size(ip)) - l3;
    const std::size_t l4 = kOffset + fake_l4.size() + (tcp ? kFragment : 0);
    Bytes b(l3 + l4);
    fill_pattern(std::span(b).subspan(l3 + l4_header), index);
    std::copy(fake_l4.begin(), fake_l4.end(), b.begin() + static_cast<std::ptrdiff_t>(l3 + kOffset));
    encode(b, ip, tcp, l4 - l4_header);
    const auto pieces =
        ip.version == 4 ? packet::fragment_ipv4(b, kFragment) : packet::fragment_ipv6(b, kFragment, identification);
    const std::size_t which = kOffset / kFragment;
    if (pieces.size() <= which) throw std::logic_error("crafted datagram does not fragment: " + what);
    add(fmt::format("{} ({} bytes of data at offset {}, {})", what, fake_l4.size(), kOffset,
                    which + 1 < pieces.size() ? "more follow" : "the last"),
        pieces[which]);
  }

  std::uint16_t next_index() const { return static_cast<std::uint16_t>(packets_.size()); }

  void echo(std::string name, const packet::IpFields& ip, std::size_t payload_size) {
    Bytes b(packet::icmp_echo_headers_size(ip) + payload_size);
    const auto index = next_index();
    fill_payload(std::span(b).subspan(b.size() - payload_size), port_, index);
    const packet::IcmpEchoFields e{false, port_, index};
    check_encoded(b, packet::encode_icmp_echo(b, ip, e, payload_size));
    add(std::move(name), std::move(b));
  }

  std::vector<CraftedPacket>& packets() { return packets_; }
  std::vector<CraftedPacket> take() { return std::move(packets_); }

 private:
  packet::TcpFields tcp_fields(std::uint32_t seq, std::uint8_t flags, std::uint16_t source_port) const {
    packet::TcpFields t;
    t.src_port = source_port;
    t.dst_port = port_;
    t.seq = seq;
    t.ack = 0x1000'0001;
    t.flags = flags;
    t.window = 502;
    return t;
  }

  Bytes udp_bytes(const packet::IpFields& ip, std::size_t payload_size, Tag tag, std::uint16_t source_port,
                  std::uint16_t index) const {
    Bytes b(packet::udp_headers_size(ip) + payload_size);
    fill(std::span(b).subspan(b.size() - payload_size), tag, index);
    const packet::UdpFields u{source_port, port_};
    check_encoded(b, packet::encode_udp(b, ip, u, payload_size, packet::L4Checksum::kFull));
    return b;
  }

  Bytes tcp_bytes(const packet::IpFields& ip, const packet::TcpFields& t, std::size_t payload_size, Tag tag,
                  std::uint16_t index) const {
    Bytes b(packet::tcp_headers_size(ip, t.options.size()) + payload_size);
    fill(std::span(b).subspan(b.size() - payload_size), tag, index);
    check_encoded(b, packet::encode_tcp(b, ip, t, payload_size, packet::L4Checksum::kFull));
    return b;
  }

  // The headers around a payload already in place at the end of `b`.
  void encode(Bytes& b, const packet::IpFields& ip, bool tcp, std::size_t payload_size) const {
    check_encoded(b, tcp ? packet::encode_tcp(b, ip, tcp_fields(1000, TcpHeader::kAckFlag, kSourcePort), payload_size,
                                              packet::L4Checksum::kFull)
                         : packet::encode_udp(b, ip, {kSourcePort, port_}, payload_size, packet::L4Checksum::kFull));
  }

  void fill(std::span<std::uint8_t> payload, Tag tag, std::uint16_t index) const {
    if (tag == Tag::kInPayload) {
      fill_payload(payload, port_, index);
    } else {
      fill_pattern(payload, index);
    }
  }

  // Only a malformed spec of this file makes the encoder refuse: a bug, not a finding.
  static void check_encoded(const Bytes& b, std::size_t length) {
    if (length != b.size()) throw std::logic_error("crafted packet does not encode");
  }

  void add(std::string name, Bytes b) { packets_.push_back({std::move(name), std::move(b)}); }

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

packet::IpFields client_to_server(const CraftedEnds& e, int version) {
  packet::IpFields ip;
  ip.version = version;
  ip.src = address_bytes(version == 4 ? e.client : e.client6, version);
  ip.dst = address_bytes(version == 4 ? e.server : e.server6, version);
  ip.id = 0x4000;
  return ip;
}

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

std::vector<CraftedPacket> fragment_packets(const CraftedEnds& ends) {
  constexpr std::size_t kFragment = 256;  // bytes of data per fragment: 600 bytes make 3
  constexpr std::size_t kPayload = 600;
  static constexpr std::array<std::uint8_t, 6> kPad8 = {1, 4, 0, 0, 0, 0};
  const std::array<packet::Ipv6Extension, 1> hop_by_hop = {packet::Ipv6Extension{packet::kProtoHopByHop, kPad8}};
  PacketList list(ends.port);
  auto v4 = client_to_server(ends, 4);
  v4.dont_fragment = false;
  v4.id = 0x4101;
  list.fragmented("UDP/IPv4 datagram", v4, false, kPayload, kFragment);
  v4.id = 0x4102;
  list.fragmented("TCP/IPv4 segment", v4, true, kPayload, kFragment);
  // Two of each, IDs counting up and sequence numbers following on: if misread, mergeable too.
  v4.id = 0x4201;
  list.lone_fragment("UDP/IPv4 later fragment that reads as a UDP datagram", v4, false, 0);
  v4.id = 0x4202;
  list.lone_fragment("UDP/IPv4 later fragment that reads as the next UDP datagram", v4, false, 0);
  v4.id = 0x4203;
  list.lone_fragment("TCP/IPv4 middle fragment that reads as a TCP segment", v4, true, 5000);
  v4.id = 0x4204;
  list.lone_fragment("TCP/IPv4 middle fragment that reads as the next TCP segment", v4, true, 5000 + kTagSize + 4);
  auto v6 = client_to_server(ends, 6);
  list.fragmented("UDP/IPv6 datagram", v6, false, kPayload, kFragment, 0x6101);
  list.fragmented("TCP/IPv6 segment", v6, true, kPayload, kFragment, 0x6102);
  v6.ipv6_extensions = hop_by_hop;
  list.fragmented("UDP/IPv6 datagram behind hop-by-hop", v6, false, kPayload, kFragment, 0x6103);
  v6.ipv6_extensions = {};
  list.lone_fragment("UDP/IPv6 later fragment that reads as a UDP datagram", v6, false, 0, 0x6201);
  list.lone_fragment("UDP/IPv6 later fragment that reads as the next UDP datagram", v6, false, 0, 0x6202);
  list.lone_fragment("TCP/IPv6 middle fragment that reads as a TCP segment", v6, true, 5000, 0x6203);
  list.lone_fragment("TCP/IPv6 middle fragment that reads as the next TCP segment", v6, true, 5000 + kTagSize + 4,
                     0x6204);
  return list.take();
}

std::vector<CraftedPacket> tcp_flag_runs(const CraftedEnds& ends) {
  constexpr std::size_t kSegment = 200;
  constexpr std::size_t kRun = 5;
  constexpr std::size_t kMiddle = 2;  // the flag on the third: two before it may merge, two after
  constexpr std::uint16_t kUrgentPointer = 100;
  constexpr std::uint8_t kAck = TcpHeader::kAckFlag;
  struct Run {
    const char* what;
    std::uint8_t middle;  // flags of the middle segment
    std::uint8_t others;  // flags of the rest
  };
  const Run runs[] = {
      {"URG + urgent pointer on segment 3", kAck | TcpHeader::kUrg, kAck},
      {"ECE on every segment", kAck | TcpHeader::kEce, kAck | TcpHeader::kEce},
      {"CWR on segment 3", kAck | TcpHeader::kCwr, kAck},
  };
  PacketList list(ends.port);
  std::uint16_t source_port = kSourcePort + 100;
  for (const int version : {4, 6}) {
    for (const auto& run : runs) {
      ++source_port;  // a flow of its own per run
      for (std::size_t i = 0; i < kRun; ++i) {
        auto ip = client_to_server(ends, version);
        ip.id = static_cast<std::uint16_t>(0x3000 + i);  // counting up (DF set)
        const std::uint8_t flags = i == kMiddle ? run.middle : run.others;
        list.tcp(fmt::format("IPv{} run with {}, segment {} of {}", version, run.what, i + 1, kRun), ip, kSegment,
                 static_cast<std::uint32_t>(1000 + i * kSegment), flags, source_port);
        if (flags & TcpHeader::kUrg) set_urgent_pointer(list.packets().back().bytes, kUrgentPointer);
      }
    }
  }
  return list.take();
}

std::vector<CraftedPacket> size_packets(const CraftedEnds& ends, std::size_t mtu) {
  using Tag = PacketList::Tag;
  PacketList list(ends.port);
  std::uint16_t source_port = kSourcePort + 200;  // a flow of its own per packet
  for (const std::size_t payload : {std::size_t{0}, std::size_t{1}}) {
    const auto what = payload == 0 ? std::string("no payload") : std::string("1 byte of payload");
    for (const int version : {4, 6}) {
      const auto tag = crafted_tag(ends.port, list.next_index());
      // Kind 253, length 12, the experiment ID, the tag: a multiple of 4, no padding.
      std::array<std::uint8_t, 12> option = {kTcpExperimentKind, 12};
      packet::store_be16(&option[2], kTcpExperimentId);
      std::copy(tag.begin(), tag.end(), option.begin() + 4);
      list.tcp(fmt::format("TCP/IPv{}, {} (an ACK), the tag in TCP option 253", version, what),
               client_to_server(ends, version), payload, 1000, TcpHeader::kAckFlag, ++source_port, option,
               Tag::kInHeader);
    }
    {
      // Type 94, length 10, the tag, then End of Option List to a multiple of 4: IHL 8.
      const auto tag = crafted_tag(ends.port, list.next_index());
      std::array<std::uint8_t, 12> option = {kIpv4ExperimentOption, 10};
      std::copy(tag.begin(), tag.end(), option.begin() + 2);
      auto ip = client_to_server(ends, 4);
      ip.ipv4_options = option;
      list.udp(fmt::format("UDP/IPv4, {}, the tag in IPv4 option 94", what), ip, payload, Tag::kInHeader,
               ++source_port);
    }
    {
      // Type 0x1E, length 8, the tag, then PadN (type 1, length 2) to 16 bytes with the first two.
      const auto tag = crafted_tag(ends.port, list.next_index());
      std::array<std::uint8_t, 14> body = {kIpv6ExperimentOption, 8};
      std::copy(tag.begin(), tag.end(), body.begin() + 2);
      body[10] = 1;
      body[11] = 2;
      const std::array<packet::Ipv6Extension, 1> destination = {packet::Ipv6Extension{packet::kProtoDestOpts, body}};
      auto ip = client_to_server(ends, 6);
      ip.ipv6_extensions = destination;
      list.udp(fmt::format("UDP/IPv6, {}, the tag in destination option 0x1E", what), ip, payload, Tag::kInHeader,
               ++source_port);
    }
  }
  for (const int version : {4, 6}) {
    const auto ip = client_to_server(ends, version);
    const std::size_t tcp_headers = packet::tcp_headers_size(ip, 0);
    const std::size_t udp_headers = packet::udp_headers_size(ip);
    if (mtu >= tcp_headers + kTagSize)
      list.tcp(fmt::format("TCP/IPv{} of {} bytes (the MTU)", version, mtu), ip, mtu - tcp_headers, 1000,
               TcpHeader::kAckFlag, ++source_port);
    if (mtu >= udp_headers + kTagSize)
      list.udp(fmt::format("UDP/IPv{} of {} bytes (the MTU)", version, mtu), ip, mtu - udp_headers, Tag::kInPayload,
               ++source_port);
  }
  return list.take();
}

}  // namespace check

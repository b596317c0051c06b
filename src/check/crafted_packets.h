#pragma once
// The packets of the crafted cases (docs/check.md, "crafted-*"), built byte by byte with
// packet::encode from the topology's addresses: IPv4 with options, IPv6 with extension headers,
// ICMP/ICMPv6 echo requests, TCP/UDP with a wrong checksum, and runs of TCP segments of one
// flow that must not be coalesced. Each packet's payload starts with a tag (its case's port and
// its number), so the copy the forwarder writes is found whatever happened to its headers, and
// an echo reply carries the tag of its request. Pure: addresses in, bytes out.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace check {

struct CraftedPacket {
  std::string name;  // "UDP, IPv4 options NOP + timestamp": how evidence names it
  std::vector<std::uint8_t> bytes;
};

// Where crafted packets go: the client's and the server's addresses (literals) and the case's
// port, which is in every tag and every packet's destination port.
struct CraftedEnds {
  std::string client;
  std::string server;
  std::string client6;
  std::string server6;
  std::uint16_t port = 5300;
};

inline constexpr std::size_t kTagSize = 8;

// The tag of packet `index` of the case on `port`: 4 magic bytes, the port, the index.
std::array<std::uint8_t, kTagSize> crafted_tag(std::uint16_t port, std::uint16_t index);
// The indices of every tag of `port` in `bytes`, in the order they occur.
std::vector<std::uint16_t> tags_in(std::span<const std::uint8_t> bytes, std::uint16_t port);

// UDP and TCP over IPv4 with options (NOP + timestamp, NOP + record route): IHL 9 and 8.
std::vector<CraftedPacket> ipv4_options_packets(const CraftedEnds& ends);
// UDP and TCP over IPv6 behind hop-by-hop and destination-options headers (PadN only).
std::vector<CraftedPacket> ipv6_extension_packets(const CraftedEnds& ends);
// ICMP and ICMPv6 echo requests client → server with payloads from the tag alone up to the
// largest that crosses a device of MTU `mtu` unfragmented.
std::vector<CraftedPacket> echo_requests(const CraftedEnds& ends, std::size_t mtu);
// TCP and UDP, IPv4 and IPv6, with an L4 checksum off by one, and an IPv4 UDP packet with a
// valid UDP checksum but a wrong IPv4 header checksum.
std::vector<CraftedPacket> bad_checksum_packets(const CraftedEnds& ends);
// Runs of equal-sized TCP segments of one flow each (ACK, consecutive sequence numbers), in
// which neighbours differ in one field GRO must not merge across (docs/offload.md §6.7, §6.10,
// §6.2): TTL, TOS, an IPv4 ID that does not count up, PSH in the middle, IPv6 hop limit,
// traffic class and flow label.
std::vector<CraftedPacket> uncoalescable_runs(const CraftedEnds& ends);

}  // namespace check

#pragma once
// The packets of the crafted cases (docs/check.md, "crafted-*"), built byte by byte with
// packet::encode (and cut with packet/fragment.h) from the topology's addresses: IPv4 with
// options, IPv6 with extension headers, ICMP/ICMPv6 echo requests, TCP/UDP with a wrong checksum,
// runs of TCP segments of one flow that must not be coalesced or carry URG/ECE/CWR, IPv4 and IPv6
// fragments, and packets of boundary sizes. Each packet's payload starts with a tag (its case's port and
// its number), so the copy the forwarder writes is found whatever happened to its headers, and
// an echo reply carries the tag of its request. Pure: addresses in, bytes out.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "packet/encode.h"

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

// The IP fields of a packet from the client to the server over IP version `version` (4 or 6):
// the addresses of `ends`, IPv4 ID 0x4000, the encoder's defaults otherwise. Throws
// std::invalid_argument for an address that is not one of that version.
packet::IpFields client_to_server(const CraftedEnds& ends, int version);

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

// IPv4 fragments (DF clear) and IPv6 fragments (Fragment header), each fragment a crafted packet
// of its own with its tag at the start of its data (in a first fragment right after the L4
// header): a UDP datagram and a TCP segment of each version cut into first, middle and last
// fragments, an IPv6 UDP datagram behind a hop-by-hop header, and pairs of lone later fragments
// whose data reads as a UDP datagram or a TCP segment of the case's flow (ports, length, sequence
// numbers, checksum, IPv4 IDs counting up) if the fragment fields are ignored. No "atomic"
// fragment (offset 0, MF clear): that is no fragment.
std::vector<CraftedPacket> fragment_packets(const CraftedEnds& ends);
// Runs of equal-sized TCP segments of one flow each, over IPv4 and IPv6: URG with an urgent
// pointer on the middle segment, ECE on every segment, CWR on the middle segment.
std::vector<CraftedPacket> tcp_flag_runs(const CraftedEnds& ends);
// Boundary sizes: TCP pure ACKs and empty UDP datagrams, and TCP/UDP with a 1-byte payload, over
// IPv4 and IPv6, whose tag is in a header option (TCP: experimental option kind 253 with an
// experiment ID, RFC 6994; UDP/IPv4: IPv4 option 94, the RFC 4727 experiment with copy 0 class 2;
// UDP/IPv6: destination option 0x1E, the RFC 4727 experiment whose action bits say "skip"); and
// TCP and UDP, IPv4 and IPv6, of exactly `mtu` bytes.
std::vector<CraftedPacket> size_packets(const CraftedEnds& ends, std::size_t mtu);

// The option types size_packets() carries its tags in.
inline constexpr std::uint8_t kTcpExperimentKind = 253;      // RFC 4727, RFC 6994
inline constexpr std::uint16_t kTcpExperimentId = 0x7462;    // "tb": the ExID of RFC 6994 §3
inline constexpr std::uint8_t kIpv4ExperimentOption = 94;    // 0x5E: copy 0, class 2, number 30 (RFC 4727)
inline constexpr std::uint8_t kIpv6ExperimentOption = 0x1E;  // action 00 (skip), no change en route (RFC 4727)

}  // namespace check

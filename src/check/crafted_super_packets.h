#pragma once
// The super-packets of the gso-* cases (docs/check.md): TCP and UDP GSO super-packets as a TUN
// read hands them to a forwarder that negotiated TSO/USO (docs/offload.md §3: whole-packet
// lengths, the pseudo-header sum in the L4 checksum field, NEEDS_CSUM), built with
// packet::encode. Every segment's payload starts with a tag of its own (crafted_packets.h), so
// each segment is found in what the forwarder wrote and in what the kernel's own segmentation
// made, whatever was cut where. Pure: addresses in, bytes out.
#include <cstddef>
#include <string>
#include <vector>

#include "check/crafted_packets.h"
#include "vnet/vnet_header.h"

namespace check {

struct CraftedSuperPacket {
  std::string name;  // "TCP/IPv4, 8 × 1460 bytes, CWR ECE PSH FIN"
  vnet::VnetHeader vnet;
  std::vector<std::uint8_t> bytes;
  std::vector<std::string> segment_names;  // one per segment, in order: the tags' names
};

// One TCP super-packet of IP version `version`: `full_segments` segments that fill a device of
// MTU `mtu`, then one of `short_tail` bytes (0 = none), `flags` on the super-packet, a timestamp
// option when `timestamps`. Its segments carry tags first_index, first_index + 1, …; it is a flow
// of its own (source port and sequence numbers from first_index).
CraftedSuperPacket tcp_super_packet(const CraftedEnds& ends, int version, std::size_t mtu, std::uint16_t first_index,
                                    std::size_t full_segments, std::size_t short_tail, std::uint8_t flags,
                                    bool timestamps = false);

// TCP super-packets of IP version `version` whose segments fit a device of MTU `mtu`: 8 full
// segments with CWR, ECE, PSH and FIN set (the split keeps ECE on all, CWR on the first only,
// PSH and FIN on the last only); 5 segments, the last shorter; 3 segments with a timestamp
// option (copied into every segment). Tags count up from `first_index`.
std::vector<CraftedSuperPacket> tcp_super_packets(const CraftedEnds& ends, int version, std::size_t mtu,
                                                  std::uint16_t first_index);
// UDP (USO) super-packets over IPv4 and IPv6: 8 datagrams, the last shorter, and 64 of 100
// bytes (the most one GSO write may carry).
std::vector<CraftedSuperPacket> udp_super_packets(const CraftedEnds& ends, std::size_t mtu, std::uint16_t first_index);

}  // namespace check

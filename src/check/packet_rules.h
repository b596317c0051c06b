#pragma once
// The rules every packet a forwarder writes into a TUN must keep (docs/check.md, "Packet
// rules"), checked on the bytes a packet socket saw on the receiving device: IP headers and
// lengths, the L4 checksum (complete, or for NEEDS_CSUM completable), no UDP checksum 0 on IPv6,
// GSO super-packets the offload engine (the oracle) accepts, and nothing larger than the MTU.
// Pure: bytes in, findings out, so unit tests drive it with crafted buffers.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "vnet/vnet_header.h"

namespace check {

// One broken rule: a stable id ("ipv4-checksum") and what exactly was wrong.
struct RuleBreak {
  std::string rule;
  std::string detail;
};

// Checks one packet the forwarder wrote (`header`: the virtio-net header the packet socket
// reported with it, all zero for a plain packet) against a device of MTU `mtu`.
std::vector<RuleBreak> check_written_packet(const vnet::VnetHeader& header, std::span<const std::uint8_t> packet,
                                            std::size_t mtu);

// The virtio-net header a packet socket reports is rebuilt by the kernel from the skb: gso_type,
// gso_size, csum_start and csum_offset are what the forwarder wrote, but hdr_len is the skb's
// linear length, which says nothing about the write. The header with hdr_len set to the whole
// packet (always acceptable), so the oracle judges what the forwarder did decide.
vnet::VnetHeader as_captured(vnet::VnetHeader header, std::size_t packet_length);

// "TCP 10.0.1.1:40000 > 10.0.2.1:5201 seq 1000 len 1448 [ACK PSH]", "UDP … len 100", or
// "IPv4 proto 1, 84 bytes": how evidence names a packet.
std::string describe_packet(std::span<const std::uint8_t> packet);

// "ACK|PSH|CWR".
std::string tcp_flag_names(std::uint8_t flags);

}  // namespace check

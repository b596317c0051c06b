#pragma once
// Bit-exact comparison of a packet with the copy a forwarder wrote, for the crafted cases'
// evidence: the first byte that differs and the header field it belongs to ("byte 8 (IPv4
// TTL): 0x40 written as 0x3f"). Pure: bytes in, text out.
#include <cstddef>
#include <optional>
#include <span>
#include <string>

namespace check {

// The field byte `offset` of `packet` belongs to, walking IPv4 options, IPv6 extension headers
// and the TCP, UDP, ICMP or ICMPv6 header: "IPv4 TTL", "IPv4 option bytes", "IPv6 extension
// header 1 (hop-by-hop)", "TCP checksum", "payload byte 12", "beyond the packet".
std::string field_at(std::span<const std::uint8_t> packet, std::size_t offset);

// nullopt when `got` equals `expected` byte for byte; otherwise where they first differ, the field
// named from `expected`, or the two lengths when one is a prefix of the other.
std::optional<std::string> first_difference(std::span<const std::uint8_t> expected, std::span<const std::uint8_t> got);

}  // namespace check

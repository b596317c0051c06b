#pragma once
// IP fragmentation and reassembly as the RFCs define them: IPv4 (RFC 791 §2.3, §3.2) and IPv6
// (RFC 8200 §4.5). For building test and conformance input (tunbench check's crafted fragments),
// not for the forwarding path: the offload engine never fragments and refuses fragments (§5.4,
// §6.1 of docs/offload.md). Pure: bytes in, bytes out; an empty result (nullopt) is a refusal.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace packet {

using Fragments = std::vector<std::vector<std::uint8_t>>;

// The IPv6 Fragment header (RFC 8200 §4.5): next header, reserved, offset·8 | M, identification.
inline constexpr std::size_t kIpv6FragmentHeaderSize = 8;

// Cuts the IPv4 datagram `packet` into fragments carrying at most `fragment_data_size` bytes of
// its data each (the bytes after the IP header), in order. Every fragment but the last carries a
// multiple of 8 bytes and MF; offsets count in 8-byte units from the original offset, and the last
// keeps the original MF, so a fragment can be cut again. The first fragment keeps every option,
// the later ones only those with the copied flag (type bit 0x80), padded with End of Option List
// to a multiple of 4. Total length and header checksum are recomputed; everything else (TOS, ID,
// TTL, protocol, addresses, the reserved flag bit) is copied.
// A datagram whose data fits in one fragment is returned unchanged as the only element.
// Empty when `packet` is not a well-formed IPv4 packet (IHL ≥ 5 within the bytes, total length
// equal to the bytes, options that parse), `fragment_data_size` is not a positive multiple of 8,
// or fragmentation is needed but DF is set (RFC 791: "fragmentation is NOT permitted").
Fragments fragment_ipv4(std::span<const std::uint8_t> packet, std::size_t fragment_data_size);

// Cuts the IPv6 packet `packet` into fragments (RFC 8200 §4.5). The unfragmentable part is the
// fixed header plus the extension headers up to and including the last routing header, or else
// the hop-by-hop header, or else none; it is copied into every fragment with its last next-header
// field set to 44 (Fragment) and the payload length recomputed, followed by a Fragment header
// (next header = the first header of the fragmentable part, offset, M on all but the last,
// `identification`) and at most `fragment_data_size` bytes of the fragmentable part (a multiple
// of 8 in all but the last).
// A packet whose fragmentable part fits in one fragment is returned unchanged (no "atomic"
// fragment, RFC 8021). Empty when `packet` is not a well-formed IPv6 packet (payload length
// equal to the bytes, not a jumbogram, extension headers within the bytes), already holds a
// Fragment header, `fragment_data_size` is not a positive multiple of 8, or the first fragment
// could not hold the whole header chain up to and including a TCP or UDP header (RFC 8200 §4.5,
// RFC 7112).
Fragments fragment_ipv6(std::span<const std::uint8_t> packet, std::size_t fragment_data_size,
                        std::uint32_t identification);

// The datagram `fragments` (in any order) were cut from: RFC 791's reassembly for IPv4 (the
// first fragment's header with MF and offset cleared, total length and checksum recomputed),
// RFC 8200's for IPv6 (the first fragment's unfragmentable part, the Fragment header removed and
// its next header put back, payload length recomputed). nullopt unless they are well-formed
// fragments of one datagram (IPv4: same source, destination, protocol and ID; IPv6: same source,
// destination and identification) that cover it exactly once from offset 0 to a last fragment
// with MF/M clear. A lone packet that is no fragment is returned as it is.
std::optional<std::vector<std::uint8_t>> reassemble_ipv4(const Fragments& fragments);
std::optional<std::vector<std::uint8_t>> reassemble_ipv6(const Fragments& fragments);

}  // namespace packet

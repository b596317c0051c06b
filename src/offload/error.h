#pragma once
// Why the offload engine refused a packet. Every value names the field that was wrong, so a
// forwarder can count drops by reason and a CLI can print "record N: rejected: REASON".
#include <cstddef>
#include <cstdint>

#include "vnet/vnet_header.h"

namespace offload {

enum class Error : std::uint8_t {
  kVnetGsoType,      // vnet gso_type unsupported (UFO or unknown)
  kVnetGsoEcnOnUdp,  // vnet ECN bit with UDP_L4
  kVnetGsoSize,      // vnet gso_size 0 or 0xFFFF
  kVnetNoNeedsCsum,  // GSO without NEEDS_CSUM
  kVnetCsumStart,    // csum_start not the L4 offset, or beyond the packet
  kVnetCsumOffset,   // csum_offset not 16/6, or the field beyond the packet
  kVnetHdrLen,       // hdr_len shorter than the real headers
  kIpVersion,        // first nibble not 4/6, or not matching the GSO type
  kIpv4Header,       // IHL < 5 or header beyond the packet
  kIpv4Length,       // total length != packet length
  kIpv4Fragment,     // MF set or fragment offset != 0
  kIpv6Length,       // payload length != packet length - 40
  kIpv6ExtHeader,    // extension header chain truncated or unsupported
  kIpv6Fragment,     // fragment header present
  kL4Protocol,       // L4 protocol not TCP/UDP, or not what the GSO type says
  kTcpHeader,        // data offset < 5 or beyond the packet
  kUdpHeader,        // UDP header beyond the packet
  kTooManySegments,  // the caller's output slots cannot hold every segment
  kOutputTooSmall,   // an output slot is smaller than one segment
  kTruncated,        // packet shorter than its headers
};
inline constexpr std::size_t kErrorCount = 20;

const char* to_string(Error e);
// A stable machine name ("ipv4-fragment"), for JSON counters.
const char* key(Error e);
Error from_vnet(vnet::Invalid reason);

}  // namespace offload

#pragma once
// Why the stack did not take a packet from the TUN, or could not send one to it. Every dropped
// packet is counted with one of these at the stage that dropped it (StackCounters).
#include <cstddef>
#include <cstdint>

namespace stack {

enum class Drop : std::uint8_t {
  kVnetHeader,     // the virtio-net header is invalid (vnet::validate)
  kIpHeader,       // not a well-formed IPv4/IPv6 packet (lengths, fragments, extension headers)
  kProtocol,       // neither TCP nor UDP (ICMP, …): not relayed
  kTcpHeader,      // TCP header truncated, bad data offset or malformed options
  kTcpChecksum,    // TCP checksum does not verify (and the kernel did not vouch for it)
  kUdpHeader,      // UDP length does not match the packet
  kUdpChecksum,    // UDP checksum does not verify
  kNoConnection,   // a TCP segment (not a SYN) of no known connection: answered with RST
  kOutOfWindow,    // sequence number outside the receive window (or a RST that is not exact)
  kOutOfOrder,     // data beyond a gap that could not be held (window, limits): the client resends it
  kSocketFull,     // payload the kernel socket did not accept: not acknowledged, resent
  kTooManyFlows,   // the connection or UDP flow table is full
  kUdpSend,        // the kernel refused a datagram (errno other than a full buffer)
  kUdpBufferFull,  // the UDP socket's send buffer was full
  kUdpTooBig,      // a reply larger than one packet to the client can carry (IPv6: 65487 bytes)
  kTunWrite,       // a packet to the client was refused by the TUN
};
inline constexpr std::size_t kDropCount = static_cast<std::size_t>(Drop::kTunWrite) + 1;

const char* to_string(Drop d);  // "TCP checksum"
const char* key(Drop d);        // "tcp-checksum", for JSON

}  // namespace stack

#pragma once
// A packet the client wrote to the TUN, checked and taken apart: its flow, and for TCP the
// header fields and options, for both the payload. A GSO super-packet is one segment whose
// payload spans many MSS (the client's TCP/UDP sent it with TSO/USO; nothing needs splitting
// to be relayed). Checksums are verified unless the kernel vouched for them (NEEDS_CSUM or
// DATA_VALID: the client's own stack built the packet in this machine).
#include <cstdint>
#include <optional>
#include <span>

#include "stack/drop_reason.h"
#include "stack/flow.h"
#include "stack/tcp_options.h"
#include "vnet/vnet_header.h"

namespace stack {

struct Inbound {
  FlowKey flow;
  // TCP
  std::uint32_t seq = 0;
  std::uint32_t ack = 0;
  std::uint8_t flags = 0;
  std::uint16_t window = 0;  // as sent (not yet scaled)
  TcpOptions options;
  // Both
  std::span<const std::uint8_t> payload;
  std::uint16_t gso_size = 0;  // UDP: the datagram size of a USO super-packet (0 = one datagram)
};

// Fills `out` (its spans point into `packet`) or says why the packet is dropped.
std::optional<Drop> parse_inbound(const vnet::VnetHeader& header, std::span<const std::uint8_t> packet, Inbound& out);

}  // namespace stack

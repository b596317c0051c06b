#pragma once
// Crafted packets into a TUN device as if the kernel had routed them there: an AF_PACKET socket
// bound to the device inside its namespace hands each buffer to the device's transmit path
// unchanged (no routing, so no TTL decrement; no checksum is checked or filled in), and the
// forwarder reads exactly these bytes. A raw IP socket would not do: with IP_HDRINCL the kernel
// still rewrites the IPv4 total length and header checksum (and fills in a zero ID:
// raw_send_hdrinc in net/ipv4/raw.c), and routes the packet.
// The device's packet taps (TunCapture) see each one as PACKET_OUTGOING, like routed traffic.
#include <cstdint>
#include <span>
#include <string>

#include "device/unique_fd.h"

namespace check {

class PacketInjector {
 public:
  // Opens the socket in `ns` and looks `device` up there; throws std::runtime_error.
  PacketInjector(const std::string& ns, const std::string& device);

  // Sends one IPv4 or IPv6 packet (the version from its first nibble); false with `error` set
  // when the kernel refused it.
  bool send(std::span<const std::uint8_t> packet, std::string* error) const;

 private:
  device::UniqueFd fd_;
  int ifindex_ = 0;
};

}  // namespace check

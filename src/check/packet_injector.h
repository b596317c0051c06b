#pragma once
// Crafted packets into a device as if the kernel had routed them there: an AF_PACKET socket
// bound to the device inside its namespace hands each buffer to the device's transmit path
// unchanged (no routing, so no TTL decrement; no checksum is checked or filled in), and the
// forwarder reads exactly these bytes. A raw IP socket would not do: with IP_HDRINCL the kernel
// still rewrites the IPv4 total length and header checksum (and fills in a zero ID:
// raw_send_hdrinc in net/ipv4/raw.c), and routes the packet.
// The device's packet taps (TunCapture) see each one as PACKET_OUTGOING, like routed traffic.
//
// With a virtio-net header (PACKET_VNET_HDR) a packet can be a GSO super-packet: a device that
// offers the segmentation (a TUN whose reader negotiated TSO/USO with TUNSETOFFLOAD) gets it
// whole, with that header, and any other device gets the kernel's own software segmentation of it
// (validate_xmit_skb), which is how the kernel oracle splits. On an Ethernet device (the oracle's
// veth) the frame is addressed to a locally administered MAC no device has, so the receiving
// kernel takes it as PACKET_OTHERHOST: its packet taps and GRO see it, its IP layer never does.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "device/unique_fd.h"
#include "vnet/vnet_header.h"

namespace check {

class PacketInjector {
 public:
  // Opens the socket in `ns` (with PACKET_VNET_HDR when `vnet_header`) and looks `device` up
  // there; throws std::runtime_error.
  PacketInjector(const std::string& ns, const std::string& device, bool vnet_header = false);

  // Sends one IPv4 or IPv6 packet (the version from its first nibble); false with `error` set
  // when the kernel refused it. Without a virtio-net header on the socket only.
  bool send(std::span<const std::uint8_t> packet, std::string* error) const;
  // The same behind virtio-net header `h`. With one on the socket only.
  bool send(const vnet::VnetHeader& h, std::span<const std::uint8_t> packet, std::string* error) const;

 private:
  bool send_frame(const vnet::VnetHeader* h, std::span<const std::uint8_t> packet, std::string* error) const;

  device::UniqueFd fd_;
  int ifindex_ = 0;
  bool vnet_header_ = false;
  std::size_t link_header_ = 0;  // 14 on Ethernet, 0 on a TUN
};

}  // namespace check

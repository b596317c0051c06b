#include "check/packet_injector.h"

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>

#include "check/netns.h"

namespace check {

namespace {

// Where frames on an Ethernet device go: locally administered, unicast, no device's address;
// and where they claim to come from.
constexpr std::uint8_t kNobodysMac[ETH_ALEN] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
constexpr std::uint8_t kSenderMac[ETH_ALEN] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};

}  // namespace

PacketInjector::PacketInjector(const std::string& ns, const std::string& device, bool vnet_header)
    : vnet_header_(vnet_header), link_header_(link_header_size(ns, device)) {
  run_in_netns(ns, [&] {
    // SOCK_RAW: the only type PACKET_VNET_HDR is allowed on; the frame is sent as given, so on
    // Ethernet it starts with a link header built here. Protocol 0: the socket only sends, it
    // never queues what passes the device.
    fd_.reset(::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0));
    if (!fd_.valid()) throw std::runtime_error(fmt::format("packet socket in {}: {}", ns, std::strerror(errno)));
    const int on = 1;
    if (vnet_header && ::setsockopt(fd_.get(), SOL_PACKET, PACKET_VNET_HDR, &on, sizeof on) != 0)
      throw std::runtime_error(fmt::format("PACKET_VNET_HDR: {}", std::strerror(errno)));
    ifindex_ = static_cast<int>(::if_nametoindex(device.c_str()));
    if (ifindex_ == 0) throw std::runtime_error(fmt::format("{} in {}: {}", device, ns, std::strerror(errno)));
  });
}

bool PacketInjector::send(std::span<const std::uint8_t> packet, std::string* error) const {
  if (vnet_header_) {
    *error = "the socket expects a virtio-net header";
    return false;
  }
  return send_frame(nullptr, packet, error);
}

bool PacketInjector::send(const vnet::VnetHeader& h, std::span<const std::uint8_t> packet, std::string* error) const {
  if (!vnet_header_) {
    *error = "the socket has no virtio-net header";
    return false;
  }
  return send_frame(&h, packet, error);
}

bool PacketInjector::send_frame(const vnet::VnetHeader* h, std::span<const std::uint8_t> packet,
                                std::string* error) const {
  if (packet.empty()) {
    *error = "empty packet";
    return false;
  }
  // The protocol becomes the skb's: what a TUN without IFF_NO_PI reports, and what the kernel
  // would have set for a routed packet.
  const std::uint16_t protocol = (packet[0] >> 4) == 6 ? ETH_P_IPV6 : ETH_P_IP;
  std::vector<std::uint8_t> frame;
  frame.reserve(vnet::kHeaderSize + link_header_ + packet.size());
  if (h) {
    // csum_start and hdr_len count from the start of the frame, link header included.
    auto shifted = *h;
    if (shifted.needs_csum()) shifted.csum_start = static_cast<std::uint16_t>(shifted.csum_start + link_header_);
    if (shifted.hdr_len != 0) shifted.hdr_len = static_cast<std::uint16_t>(shifted.hdr_len + link_header_);
    frame.resize(vnet::kHeaderSize);
    vnet::encode(shifted, std::span<std::uint8_t, vnet::kHeaderSize>(frame.data(), vnet::kHeaderSize));
  }
  if (link_header_ == ETH_HLEN) {
    frame.insert(frame.end(), std::begin(kNobodysMac), std::end(kNobodysMac));
    frame.insert(frame.end(), std::begin(kSenderMac), std::end(kSenderMac));
    frame.push_back(static_cast<std::uint8_t>(protocol >> 8));
    frame.push_back(static_cast<std::uint8_t>(protocol));
  }
  frame.insert(frame.end(), packet.begin(), packet.end());
  sockaddr_ll to{};
  to.sll_family = AF_PACKET;
  to.sll_ifindex = ifindex_;
  to.sll_protocol = htons(protocol);
  const ssize_t n =
      ::sendto(fd_.get(), frame.data(), frame.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
  if (n == static_cast<ssize_t>(frame.size())) return true;
  *error = n < 0 ? std::strerror(errno) : fmt::format("sent {} of {} bytes", n, frame.size());
  return false;
}

}  // namespace check

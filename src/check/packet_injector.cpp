#include "check/packet_injector.h"

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

#include "check/netns.h"

namespace check {

PacketInjector::PacketInjector(const std::string& ns, const std::string& device) {
  run_in_netns(ns, [&] {
    // Protocol 0: the socket only sends, it never queues what passes the device.
    fd_.reset(::socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!fd_.valid()) throw std::runtime_error(fmt::format("packet socket in {}: {}", ns, std::strerror(errno)));
    ifindex_ = static_cast<int>(::if_nametoindex(device.c_str()));
    if (ifindex_ == 0) throw std::runtime_error(fmt::format("{} in {}: {}", device, ns, std::strerror(errno)));
  });
}

bool PacketInjector::send(std::span<const std::uint8_t> packet, std::string* error) const {
  if (packet.empty()) {
    *error = "empty packet";
    return false;
  }
  // The protocol becomes the skb's: what a TUN without IFF_NO_PI reports, and what the kernel
  // would have set for a routed packet.
  sockaddr_ll to{};
  to.sll_family = AF_PACKET;
  to.sll_ifindex = ifindex_;
  to.sll_protocol = htons((packet[0] >> 4) == 6 ? ETH_P_IPV6 : ETH_P_IP);
  const ssize_t n =
      ::sendto(fd_.get(), packet.data(), packet.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
  if (n == static_cast<ssize_t>(packet.size())) return true;
  *error = n < 0 ? std::strerror(errno) : fmt::format("sent {} of {} bytes", n, packet.size());
  return false;
}

}  // namespace check

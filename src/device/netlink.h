#pragma once
// A minimal rtnetlink client for what a TUN needs after TUNSETIFF: MTU, transmit queue length,
// addresses, link up. Each request is acknowledged (NLM_F_ACK) so errors come back
// synchronously, with the kernel's extended-ack text when it gives one. It acts in the network
// namespace of the calling thread at construction time.
#include <cstdint>
#include <string>

#include "device/ip_prefix.h"
#include "device/unique_fd.h"

namespace device {

struct NetlinkResult {
  int error = 0;        // errno, 0 = success
  std::string message;  // strerror(error), plus " (kernel: <extack>)" when present
  bool ok() const { return error == 0; }
};

class Netlink {
 public:
  // Throws std::system_error when the socket cannot be opened.
  Netlink();

  NetlinkResult set_mtu(int ifindex, int mtu);
  // IFLA_TXQLEN: for a TUN, the packets the kernel holds for the reader before it drops.
  NetlinkResult set_tx_queue_len(int ifindex, std::uint32_t packets);
  NetlinkResult set_up(int ifindex);
  NetlinkResult add_address(int ifindex, const IpPrefix& prefix);

 private:
  // RTM_NEWLINK changing one 32-bit link attribute.
  NetlinkResult set_link_u32(int ifindex, unsigned short attribute, std::uint32_t value);
  // Sends one request and waits for its ack.
  NetlinkResult transact(void* request, std::size_t length);

  UniqueFd fd_;
  unsigned seq_ = 0;
};

}  // namespace device

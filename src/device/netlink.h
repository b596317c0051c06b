#pragma once
// A minimal rtnetlink client for the three things a TUN needs after TUNSETIFF: MTU, addresses,
// link up. Each request is acknowledged (NLM_F_ACK) so errors come back synchronously, with the
// kernel's extended-ack text when it gives one. It acts in the network namespace of the
// calling thread at construction time.
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
  NetlinkResult set_up(int ifindex);
  NetlinkResult add_address(int ifindex, const IpPrefix& prefix);

 private:
  // Sends one request and waits for its ack.
  NetlinkResult transact(void* request, std::size_t length);

  UniqueFd fd_;
  unsigned seq_ = 0;
};

}  // namespace device

#include "check/socket_address.h"

#include <arpa/inet.h>

#include <stdexcept>

namespace check {

SocketAddress socket_address(const std::string& address, std::uint16_t port) {
  SocketAddress a;
  if (address.find(':') != std::string::npos) {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&a.storage);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(port);
    if (::inet_pton(AF_INET6, address.c_str(), &in6->sin6_addr) != 1)
      throw std::invalid_argument("not an IPv6 address: " + address);
    a.length = sizeof *in6;
    a.family = AF_INET6;
  } else {
    auto* in4 = reinterpret_cast<sockaddr_in*>(&a.storage);
    in4->sin_family = AF_INET;
    in4->sin_port = htons(port);
    if (::inet_pton(AF_INET, address.c_str(), &in4->sin_addr) != 1)
      throw std::invalid_argument("not an IPv4 address: " + address);
    a.length = sizeof *in4;
  }
  return a;
}

}  // namespace check

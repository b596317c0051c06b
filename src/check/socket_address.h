#pragma once
// An IPv4 or IPv6 literal and a port as a sockaddr, for the check's sockets.
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <string>

namespace check {

struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;
  int family = AF_INET;
  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
};

// Throws std::invalid_argument for text that is no address literal.
SocketAddress socket_address(const std::string& address, std::uint16_t port);

}  // namespace check

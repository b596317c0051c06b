#include "stack/flow.h"

#include <arpa/inet.h>

#include <fmt/format.h>

#include "packet/view.h"

namespace stack {

std::size_t FlowKeyHash::operator()(const FlowKey& k) const {
  // FNV-1a over the fields that differ between flows; the table is ours, nobody chooses keys
  // against it but the client in our own namespace.
  std::uint64_t h = 1469598103934665603ULL;
  const auto mix = [&h](std::uint8_t b) {
    h ^= b;
    h *= 1099511628211ULL;
  };
  const std::size_t n = k.version == 4 ? 4 : 16;
  for (std::size_t i = 0; i < n; ++i) mix(k.client[i]);
  for (std::size_t i = 0; i < n; ++i) mix(k.server[i]);
  for (int shift : {8, 0}) {
    mix(static_cast<std::uint8_t>(k.client_port >> shift));
    mix(static_cast<std::uint8_t>(k.server_port >> shift));
  }
  mix(k.protocol);
  return static_cast<std::size_t>(h);
}

std::string address_string(int version, const std::array<std::uint8_t, 16>& address) {
  char text[INET6_ADDRSTRLEN] = {};
  ::inet_ntop(version == 4 ? AF_INET : AF_INET6, address.data(), text, sizeof text);
  return text;
}

std::string describe(const FlowKey& k) {
  const char* proto = k.protocol == packet::kProtoTcp ? "tcp" : k.protocol == packet::kProtoUdp ? "udp" : "ip";
  const auto endpoint = [&](const std::array<std::uint8_t, 16>& a, std::uint16_t port) {
    return k.version == 4 ? fmt::format("{}:{}", address_string(4, a), port)
                          : fmt::format("[{}]:{}", address_string(6, a), port);
  };
  return fmt::format("{} {} > {}", proto, endpoint(k.client, k.client_port), endpoint(k.server, k.server_port));
}

}  // namespace stack

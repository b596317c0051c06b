#pragma once
// One transport flow as the client sees it: its own address and port, the address and port it
// talks to, the protocol. IPv4 addresses use the first 4 bytes.
#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

namespace stack {

struct FlowKey {
  std::uint8_t version = 4;   // 4 or 6
  std::uint8_t protocol = 0;  // packet::kProtoTcp / kProtoUdp
  std::array<std::uint8_t, 16> client{};
  std::array<std::uint8_t, 16> server{};
  std::uint16_t client_port = 0;
  std::uint16_t server_port = 0;

  friend bool operator==(const FlowKey&, const FlowKey&) = default;
};

struct FlowKeyHash {
  std::size_t operator()(const FlowKey& k) const;
};

// "tcp 10.0.1.1:40000 > 10.0.2.1:5201", "udp [fd00:1::1]:5353 > [fd00:2::1]:53"
std::string describe(const FlowKey& k);
// "10.0.2.1" / "fd00:2::1"
std::string address_string(int version, const std::array<std::uint8_t, 16>& address);

}  // namespace stack

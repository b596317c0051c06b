#pragma once
// One client flow through the stack (addresses, ports, its FlowKey), for the stack's unit tests
// and its fuzzer (no gtest here).
#include <array>
#include <cstdint>

#include "packet/view.h"
#include "stack/flow.h"

namespace tbtest {

// The client side of one TCP flow (IPv4 10.0.1.1:40000 → 10.0.2.1:5201 unless changed).
struct ClientFlow {
  int version = 4;
  std::array<std::uint8_t, 16> client{10, 0, 1, 1};
  std::array<std::uint8_t, 16> server{10, 0, 2, 1};
  std::uint16_t client_port = 40000, server_port = 5201;

  // The same ports over IPv6 (fd00:1::1 → fd00:2::1).
  static ClientFlow v6() {
    ClientFlow f;
    f.version = 6;
    f.client = {0xfd, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    f.server = {0xfd, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    return f;
  }
  stack::FlowKey key(std::uint8_t protocol = packet::kProtoTcp) const {
    stack::FlowKey k;
    k.version = static_cast<std::uint8_t>(version);
    k.protocol = protocol;
    k.client = client;
    k.server = server;
    k.client_port = client_port;
    k.server_port = server_port;
    return k;
  }
};

}  // namespace tbtest

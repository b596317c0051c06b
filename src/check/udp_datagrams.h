#pragma once
// UDP datagrams of given sizes sent one at a time from one namespace to a receiver in another:
// each is waited for before the next goes (bounded), so no socket buffer overflows and any
// datagram missing was lost on the way, not crowded out. Each carries a seeded pattern
// (pattern.h) keyed by its number, so the receiver tells an intact datagram from a corrupted,
// truncated or repeated one.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace check {

struct DatagramOptions {
  std::string from_ns;
  std::string to_ns;
  std::string to_address;  // IPv4 or IPv6 literal
  std::uint16_t port = 5400;
  std::vector<std::size_t> sizes;  // payload bytes of each datagram, in sending order
  std::uint64_t seed = 1;
  std::chrono::milliseconds wait_each{500};  // how long one datagram may take to arrive
  std::size_t give_up_after = 5;             // losses before the rest is not sent
};

struct DatagramResult {
  std::size_t sent = 0;
  std::size_t intact = 0;
  std::vector<std::string> problems;  // "#3 (100 bytes) never arrived", "#5 … corrupted at byte 7"
  std::size_t lost = 0, corrupted = 0, duplicates = 0;
  bool ok() const { return problems.empty() && intact == sent; }
};

// Throws std::runtime_error when a socket cannot be set up.
DatagramResult exchange_datagrams(const DatagramOptions& options);

// The sizes a case sends through a device of MTU `mtu`: 0, 1, small, medium and the largest
// that fits unfragmented (mtu − 28 on IPv4, mtu − 48 on IPv6), each once.
std::vector<std::size_t> datagram_sizes(std::size_t mtu, int ip_version);

}  // namespace check

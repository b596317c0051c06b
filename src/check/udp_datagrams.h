#pragma once
// UDP datagrams sent from one namespace to a receiver in another, one send call at a time: the
// datagrams of a call are waited for (bounded) before the next call goes, so no socket buffer
// overflows and any datagram missing was lost on the way, not crowded out. A call carries one
// datagram (send) or a burst of them (one sendmsg with UDP_SEGMENT: the kernel, or whoever it
// hands the super-packet to, cuts it into datagrams). Each datagram carries a seeded pattern
// (pattern.h) keyed by its number, so the receiver tells an intact datagram from a corrupted,
// truncated, repeated or reordered one.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace check {

// The datagrams of one send call: `count` of `size` payload bytes, the last one `last` bytes
// (at most `size`). count 1 is a plain send of `last` bytes; more is one sendmsg with
// UDP_SEGMENT = size.
struct Burst {
  std::size_t size = 0;
  std::size_t count = 1;
  std::size_t last = 0;
  std::size_t datagram_size(std::size_t i) const { return i + 1 == count ? last : size; }
};

struct DatagramOptions {
  std::string from_ns;
  std::string to_ns;
  std::string to_address;  // IPv4 or IPv6 literal
  std::uint16_t port = 5400;
  std::vector<Burst> sends;  // in sending order
  std::uint64_t seed = 1;
  // How long the datagrams of one send call may take to arrive (all of them: the datagrams of a
  // burst travel together, so a missing one costs this wait once per burst, not once each).
  std::chrono::milliseconds wait_each{500};
  std::size_t give_up_after = 5;  // losses before the rest is not sent
};

struct DatagramResult {
  std::size_t datagrams = 0;  // in every send call of the options, sent or not
  std::size_t sent = 0;       // in the send calls the kernel took
  std::size_t intact = 0;
  std::vector<std::string> problems;  // "#3 (100 bytes) never arrived (waited 500 ms)", "#5 … arrived as …"
  std::size_t lost = 0, corrupted = 0, duplicates = 0, reordered = 0;
  std::size_t late = 0;  // of the lost, how many arrived after their wait had ended
  bool ok() const { return problems.empty() && intact == sent && sent == datagrams; }
};

// Throws std::runtime_error when a socket cannot be set up.
DatagramResult exchange_datagrams(const DatagramOptions& options);

// The sizes a case sends through a device of MTU `mtu`: 0, 1, small, medium and the largest
// that fits unfragmented (mtu − 28 on IPv4, mtu − 48 on IPv6), each once.
std::vector<std::size_t> datagram_sizes(std::size_t mtu, int ip_version);
// The same sizes, one datagram per send call.
std::vector<Burst> one_at_a_time(const std::vector<std::size_t>& sizes);

// The UDP_SEGMENT bursts a case sends through a device of MTU `mtu`: 2, 8 and 64 datagrams of
// the largest unfragmented size down to a few bytes, the last one shorter (and one burst of
// equal datagrams), each within what one UDP_SEGMENT send may carry (64 segments, 64 KB).
std::vector<Burst> gso_bursts(std::size_t mtu, int ip_version);

}  // namespace check

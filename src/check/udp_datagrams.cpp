#include "check/udp_datagrams.h"

#include <netinet/udp.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <stdexcept>

#include <fmt/format.h>

#include "check/netns.h"
#include "check/pattern.h"
#include "check/socket_address.h"
#include "harness/interrupt.h"
#include "os/udp_segment_send.h"

namespace check {
namespace {

using Clock = std::chrono::steady_clock;
using Bytes = std::vector<std::uint8_t>;

// Room for every datagram of the largest burst at once, whatever each costs the socket
// (truesize): a burst must never be crowded out of the receiver's buffer.
constexpr int kReceiveBuffer = 8 << 20;
// What one UDP_SEGMENT send may carry: the kernel's UDP_MAX_SEGMENTS (64 on older kernels) and
// the IP length field (65535 bytes with the IP and UDP headers).
constexpr std::size_t kMaxSegments = 64;
constexpr std::size_t kMaxPacket = 65535;

std::size_t headers_of(int ip_version) { return ip_version == 6 ? 48 : 28; }

Bytes datagram(std::uint64_t seed, std::size_t index, std::size_t size) {
  Bytes d(size);
  Pattern(seed + index).fill(0, d);
  return d;
}

// Receives one datagram before `deadline`; nullopt when none came.
std::optional<Bytes> receive(int fd, Clock::time_point deadline) {
  for (;;) {
    harness::throw_if_interrupted();
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    pollfd p{fd, POLLIN, 0};
    const int n = ::poll(&p, 1, static_cast<int>(std::max<std::int64_t>(0, std::min<std::int64_t>(left.count(), 100))));
    if (n > 0) {
      Bytes buffer(65536);
      const ssize_t r = ::recv(fd, buffer.data(), buffer.size(), MSG_DONTWAIT | MSG_TRUNC);
      if (r >= 0) {
        buffer.resize(std::min(buffer.size(), static_cast<std::size_t>(r)));
        return buffer;
      }
    }
    if (left.count() <= 0) return std::nullopt;
  }
}

// One send call: a plain send for one datagram, else one sendmsg carrying them all with
// UDP_SEGMENT (as a control message, so the socket keeps no segment size between calls).
bool send_call(int fd, const Burst& b, const std::vector<Bytes>& datagrams, std::string* error) {
  Bytes payload;
  for (const auto& d : datagrams) payload.insert(payload.end(), d.begin(), d.end());
  if (os::send_udp_segments(fd, payload, b.count > 1 ? static_cast<std::uint16_t>(b.size) : 0, 0) >= 0) return true;
  *error = b.count > 1 ? fmt::format("sendmsg with UDP_SEGMENT {}: {}", b.size, std::strerror(errno))
                       : fmt::format("send: {}", std::strerror(errno));
  return false;
}

// Everything sent so far and what became of it; judges each datagram that arrives.
class Ledger {
 public:
  explicit Ledger(DatagramResult& r) : r_(r) {}

  // The datagrams of the next send call, numbered on from the last call's. A call the kernel
  // refused keeps its numbers, settled at once (its failure is reported by the caller).
  void add(std::vector<Bytes> datagrams, bool sent) {
    first_ = sent_.size();
    for (auto& d : datagrams) {
      sent_.push_back(std::move(d));
      settled_.push_back(!sent);
      refused_.push_back(!sent);
      lost_.push_back(false);
    }
    highest_.reset();
  }
  // Every datagram of the current call arrived or was accounted for.
  bool call_settled() const {
    return std::all_of(settled_.begin() + static_cast<std::ptrdiff_t>(first_), settled_.end(),
                       [](bool s) { return s; });
  }

  // One datagram that arrived while the current call's were awaited.
  void arrived(const Bytes& got) {
    for (std::size_t j = first_; j < sent_.size(); ++j) {
      if (settled_[j] || got != sent_[j]) continue;
      settled_[j] = true;
      ++r_.intact;
      // The datagrams of one call leave in order: one that overtakes another was reordered.
      if (highest_ && j < *highest_) {
        ++r_.reordered;
        r_.problems.push_back(fmt::format("#{} ({} bytes) arrived after #{}: out of order", j, got.size(), *highest_));
      }
      highest_ = std::max(j, highest_.value_or(j));
      return;
    }
    for (std::size_t j = 0; j < sent_.size(); ++j)
      if (!refused_[j] && got == sent_[j]) {
        // Counted lost when its wait ended: it came after all, too late (it stays a loss).
        if (lost_[j]) {
          lost_[j] = false;
          ++r_.late;
          r_.problems.push_back(fmt::format("#{} ({} bytes) arrived late, after its wait had ended", j, got.size()));
          return;
        }
        ++r_.duplicates;
        r_.problems.push_back(fmt::format("#{} ({} bytes) arrived again", j, got.size()));
        return;
      }
    // Nothing sent looks like it: it stands for the first datagram still awaited.
    for (std::size_t j = first_; j < sent_.size(); ++j) {
      if (settled_[j]) continue;
      settled_[j] = true;
      ++r_.corrupted;
      const auto& want = sent_[j];
      std::size_t at = 0;
      while (at < got.size() && at < want.size() && got[at] == want[at]) ++at;
      r_.problems.push_back(fmt::format("#{} ({} bytes) arrived as {} bytes, first difference at byte {}", j,
                                        want.size(), got.size(), at));
      return;
    }
    ++r_.duplicates;
    r_.problems.push_back(fmt::format("an extra {}-byte datagram arrived", got.size()));
  }

  // The current call's datagrams that never came.
  void close_call(std::chrono::milliseconds waited) {
    for (std::size_t j = first_; j < sent_.size(); ++j) {
      if (settled_[j]) continue;
      settled_[j] = true;
      lost_[j] = true;
      ++r_.lost;
      r_.problems.push_back(
          fmt::format("#{} ({} bytes) never arrived (waited {} ms)", j, sent_[j].size(), waited.count()));
    }
  }

 private:
  DatagramResult& r_;
  std::vector<Bytes> sent_;
  std::vector<bool> settled_;  // arrived, or accounted for as corrupted, lost or never sent
  std::vector<bool> refused_;  // the send call failed: it cannot arrive
  std::vector<bool> lost_;     // its wait ended without it (until it arrives late)
  std::size_t first_ = 0;
  std::optional<std::size_t> highest_;
};

}  // namespace

std::vector<std::size_t> datagram_sizes(std::size_t mtu, int ip_version) {
  const std::size_t headers = headers_of(ip_version);
  const std::size_t largest = mtu > headers ? mtu - headers : 0;
  std::vector<std::size_t> sizes;
  for (std::size_t s : {std::size_t{0}, std::size_t{1}, std::size_t{2}, std::size_t{7}, std::size_t{8}, std::size_t{64},
                        std::size_t{100}, std::size_t{512}, std::size_t{1000}, std::size_t{1200}, largest - 1, largest})
    if (s <= largest && std::find(sizes.begin(), sizes.end(), s) == sizes.end()) sizes.push_back(s);
  return sizes;
}

std::vector<Burst> one_at_a_time(const std::vector<std::size_t>& sizes) {
  std::vector<Burst> sends;
  for (const auto s : sizes) sends.push_back({s, 1, s});
  return sends;
}

std::vector<Burst> gso_bursts(std::size_t mtu, int ip_version) {
  const std::size_t headers = headers_of(ip_version);
  const std::size_t largest = mtu > headers ? mtu - headers : 0;
  // {size, count, last}: the largest datagrams, a handful, the most one call may carry (the last
  // one byte short), as many equal ones, and tiny ones.
  const Burst shapes[] = {
      {largest, 2, largest - 1}, {1200, 8, 1}, {1000, 64, 999}, {512, 64, 512}, {8, 8, 7},
  };
  std::vector<Burst> bursts;
  for (Burst b : shapes) {
    if (largest < 2) break;
    b.size = std::min(b.size, largest);
    b.count = std::min({b.count, kMaxSegments, (kMaxPacket - headers) / b.size});
    b.last = std::clamp<std::size_t>(b.last, 1, b.size);
    if (b.count >= 2) bursts.push_back(b);
  }
  return bursts;
}

DatagramResult exchange_datagrams(const DatagramOptions& o) {
  const auto to = socket_address(o.to_address, o.port);
  auto receiver = socket_in(o.to_ns, to.family, SOCK_DGRAM, 0);
  // Root may exceed net.core.rmem_max; the namespace's default is far smaller than a burst.
  ::setsockopt(receiver.get(), SOL_SOCKET, SO_RCVBUFFORCE, &kReceiveBuffer, sizeof kReceiveBuffer);
  if (::bind(receiver.get(), to.get(), to.length) != 0)
    throw std::runtime_error(
        fmt::format("bind {} port {} in {}: {}", o.to_address, o.port, o.to_ns, std::strerror(errno)));
  auto sender = socket_in(o.from_ns, to.family, SOCK_DGRAM, 0);
  if (::connect(sender.get(), to.get(), to.length) != 0)
    throw std::runtime_error(fmt::format("connect to {} port {}: {}", o.to_address, o.port, std::strerror(errno)));

  DatagramResult r;
  for (const auto& b : o.sends) r.datagrams += b.count;
  Ledger ledger(r);
  std::size_t next = 0;  // the number of the next datagram
  for (const auto& b : o.sends) {
    if (r.lost >= o.give_up_after) {
      r.problems.push_back(
          fmt::format("gave up after {} losses: {} of {} datagrams not sent", r.lost, r.datagrams - next, r.datagrams));
      break;
    }
    std::vector<Bytes> datagrams;
    for (std::size_t i = 0; i < b.count; ++i) datagrams.push_back(datagram(o.seed, next + i, b.datagram_size(i)));
    std::string error;
    const bool sent = send_call(sender.get(), b, datagrams, &error);
    ledger.add(std::move(datagrams), sent);
    if (!sent) {
      r.problems.push_back(
          b.count == 1 ? fmt::format("#{} ({} bytes): {}", next, b.last, error)
                       : fmt::format("#{}-#{} ({} × {} bytes): {}", next, next + b.count - 1, b.count, b.size, error));
      next += b.count;
      continue;
    }
    next += b.count;
    r.sent += b.count;
    // The whole call's datagrams travel together: one deadline for all of them.
    const auto deadline = Clock::now() + o.wait_each;
    while (!ledger.call_settled()) {
      const auto got = receive(receiver.get(), deadline);
      if (!got) break;
      ledger.arrived(*got);
    }
    ledger.close_call(o.wait_each);
  }
  // Late copies of anything already settled.
  while (const auto extra = receive(receiver.get(), Clock::now() + std::chrono::milliseconds(50)))
    ledger.arrived(*extra);
  return r;
}

}  // namespace check

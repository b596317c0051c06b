#include "check/udp_datagrams.h"

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

namespace check {
namespace {

std::vector<std::uint8_t> datagram(std::uint64_t seed, std::size_t index, std::size_t size) {
  std::vector<std::uint8_t> d(size);
  Pattern(seed + index).fill(0, d);
  return d;
}

// Receives one datagram within `timeout`; nullopt when none came.
std::optional<std::vector<std::uint8_t>> receive(int fd, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    harness::throw_if_interrupted();
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd p{fd, POLLIN, 0};
    const int n = ::poll(&p, 1, static_cast<int>(std::max<std::int64_t>(0, std::min<std::int64_t>(left.count(), 100))));
    if (n > 0) {
      std::vector<std::uint8_t> buffer(65536);
      const ssize_t r = ::recv(fd, buffer.data(), buffer.size(), MSG_DONTWAIT | MSG_TRUNC);
      if (r >= 0) {
        buffer.resize(std::min(buffer.size(), static_cast<std::size_t>(r)));
        return buffer;
      }
    }
    if (left.count() <= 0) return std::nullopt;
  }
}

}  // namespace

std::vector<std::size_t> datagram_sizes(std::size_t mtu, int ip_version) {
  const std::size_t headers = ip_version == 6 ? 48 : 28;
  const std::size_t largest = mtu > headers ? mtu - headers : 0;
  std::vector<std::size_t> sizes;
  for (std::size_t s : {std::size_t{0}, std::size_t{1}, std::size_t{2}, std::size_t{7}, std::size_t{8}, std::size_t{64},
                        std::size_t{100}, std::size_t{512}, std::size_t{1000}, std::size_t{1200}, largest - 1, largest})
    if (s <= largest && std::find(sizes.begin(), sizes.end(), s) == sizes.end()) sizes.push_back(s);
  return sizes;
}

DatagramResult exchange_datagrams(const DatagramOptions& o) {
  const auto to = socket_address(o.to_address, o.port);
  auto receiver = socket_in(o.to_ns, to.family, SOCK_DGRAM, 0);
  if (::bind(receiver.get(), to.get(), to.length) != 0)
    throw std::runtime_error(
        fmt::format("bind {} port {} in {}: {}", o.to_address, o.port, o.to_ns, std::strerror(errno)));
  auto sender = socket_in(o.from_ns, to.family, SOCK_DGRAM, 0);
  if (::connect(sender.get(), to.get(), to.length) != 0)
    throw std::runtime_error(fmt::format("connect to {} port {}: {}", o.to_address, o.port, std::strerror(errno)));

  DatagramResult r;
  std::vector<std::vector<std::uint8_t>> sent;
  enum class Arrival { kIntact, kRepeat, kCorrupted };
  const auto judge = [&](const std::vector<std::uint8_t>& got, std::size_t awaited) {
    const auto& want = sent[awaited];
    if (got == want) return Arrival::kIntact;
    for (std::size_t j = 0; j < awaited; ++j)
      if (got == sent[j]) {
        ++r.duplicates;
        r.problems.push_back(fmt::format("#{} ({} bytes) arrived again while #{} was awaited", j, got.size(), awaited));
        return Arrival::kRepeat;
      }
    ++r.corrupted;
    std::size_t at = 0;
    while (at < got.size() && at < want.size() && got[at] == want[at]) ++at;
    r.problems.push_back(fmt::format("#{} ({} bytes) arrived as {} bytes, first difference at byte {}", awaited,
                                     want.size(), got.size(), at));
    return Arrival::kCorrupted;
  };
  for (std::size_t i = 0; i < o.sizes.size() && r.lost < o.give_up_after; ++i) {
    sent.push_back(datagram(o.seed, i, o.sizes[i]));
    if (::send(sender.get(), sent.back().data(), sent.back().size(), 0) < 0) {
      r.problems.push_back(fmt::format("#{} ({} bytes): send: {}", i, o.sizes[i], std::strerror(errno)));
      continue;
    }
    ++r.sent;
    // A repeat of an earlier datagram is reported and the wait for #i goes on; anything else
    // settles #i.
    for (;;) {
      const auto got = receive(receiver.get(), o.wait_each);
      if (!got) {
        ++r.lost;
        r.problems.push_back(
            fmt::format("#{} ({} bytes) never arrived (waited {} ms)", i, o.sizes[i], o.wait_each.count()));
        break;
      }
      const auto arrival = judge(*got, i);
      if (arrival == Arrival::kIntact) ++r.intact;
      if (arrival != Arrival::kRepeat) break;
    }
  }
  if (r.lost >= o.give_up_after && r.sent < o.sizes.size())
    r.problems.push_back(fmt::format("gave up after {} losses: {} of {} datagrams not sent", r.lost,
                                     o.sizes.size() - r.sent, o.sizes.size()));
  // Late copies of anything already settled.
  while (const auto extra = receive(receiver.get(), std::chrono::milliseconds(50))) {
    ++r.duplicates;
    r.problems.push_back(fmt::format("an extra {}-byte datagram arrived after the last one", extra->size()));
  }
  return r;
}

}  // namespace check

#pragma once
// A SOCK_SEQPACKET socketpair: like a TUN fd, one read is one packet and one write one packet,
// so device code runs in tests without root. `ours` goes to the code under test, `peer` plays
// the kernel side.
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <vector>

#include <gtest/gtest.h>

#include "device/unique_fd.h"

namespace tbtest {

struct SocketPair {
  device::UniqueFd ours;
  device::UniqueFd peer;

  SocketPair() {
    // Writing to a closed socket raises SIGPIPE (a TUN never does); the tests want the errno.
    ::signal(SIGPIPE, SIG_IGN);
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0) {
      ADD_FAILURE() << "socketpair failed";
      return;
    }
    ours.reset(fds[0]);
    peer.reset(fds[1]);
  }
};

inline std::vector<std::uint8_t> bytes_of(std::initializer_list<int> values) {
  std::vector<std::uint8_t> out;
  for (int v : values) out.push_back(static_cast<std::uint8_t>(v));
  return out;
}

// A recognisable packet: first byte 0x45 like an IPv4 header, then `tag` repeated.
inline std::vector<std::uint8_t> test_packet(std::uint8_t tag, std::size_t size = 60) {
  std::vector<std::uint8_t> p(size, tag);
  p[0] = 0x45;
  return p;
}

inline std::vector<std::uint8_t> read_raw(int fd) {
  std::vector<std::uint8_t> buf(70000);
  const ssize_t n = ::read(fd, buf.data(), buf.size());
  buf.resize(n < 0 ? 0 : static_cast<std::size_t>(n));
  return buf;
}

}  // namespace tbtest

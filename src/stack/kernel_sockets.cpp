#include "stack/kernel_sockets.h"

#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>

#include "device/unique_fd.h"
#include "os/udp_segment_send.h"

namespace stack {

namespace {

#ifndef UDP_SEGMENT
constexpr int UDP_SEGMENT = 103;
#endif
#ifndef UDP_GRO
constexpr int UDP_GRO = 104;
#endif

// The server's address as the flow names it.
socklen_t server_address(const FlowKey& flow, sockaddr_storage& out) {
  std::memset(&out, 0, sizeof out);
  if (flow.version == 4) {
    auto& a = reinterpret_cast<sockaddr_in&>(out);
    a.sin_family = AF_INET;
    a.sin_port = htons(flow.server_port);
    std::memcpy(&a.sin_addr, flow.server.data(), 4);
    return sizeof a;
  }
  auto& a = reinterpret_cast<sockaddr_in6&>(out);
  a.sin6_family = AF_INET6;
  a.sin6_port = htons(flow.server_port);
  std::memcpy(&a.sin6_addr, flow.server.data(), 16);
  return sizeof a;
}

constexpr std::uint32_t kStreamEvents = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;

IoResult result(ssize_t n) {
  if (n < 0) return {0, errno};
  return {static_cast<std::size_t>(n), 0};
}

// Opens a non-blocking socket of `type`, connects it to the flow's server and registers it for
// `events` under `token`; -1 with `error` set on failure.
device::UniqueFd open_connected(const FlowKey& flow, int type, int epoll_fd, std::uint32_t events, std::uint64_t token,
                                int& error, void (*configure)(int fd, const void* arg), const void* arg) {
  device::UniqueFd fd(::socket(flow.version == 4 ? AF_INET : AF_INET6, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) {
    error = errno;
    return {};
  }
  configure(fd.get(), arg);
  sockaddr_storage addr;
  const socklen_t len = server_address(flow, addr);
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), len) != 0 && errno != EINPROGRESS) {
    error = errno;
    return {};
  }
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = token;
  if (::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd.get(), &ev) != 0) {
    error = errno;
    return {};
  }
  return fd;
}

int read_sndbuf(int fd) {
  int sndbuf = 0;
  socklen_t len = sizeof sndbuf;
  return ::getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, &len) == 0 ? sndbuf : 0;
}

class KernelStreamSocket final : public StreamSocket {
 public:
  // fixed_sndbuf: SO_SNDBUF as read back once after we set it (setting it turns the kernel's
  // autotuning off, so it never changes); 0 = autotuned, ask every time.
  KernelStreamSocket(device::UniqueFd fd, int epoll_fd, std::uint64_t token, int fixed_sndbuf)
      : fd_(std::move(fd)), epoll_fd_(epoll_fd), token_(token), fixed_sndbuf_(fixed_sndbuf) {}

  void want_writable() override {
    // Re-arming makes epoll poll the socket now; tcp_poll() finding no room marks the socket
    // SOCK_NOSPACE, and the kernel then signals EPOLLOUT as soon as ACKs from the server free it.
    epoll_event ev{};
    ev.events = kStreamEvents;
    ev.data.u64 = token_;
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd_.get(), &ev);
  }

  int connect_error() override {
    int error = 0;
    socklen_t len = sizeof error;
    if (::getsockopt(fd_.get(), SOL_SOCKET, SO_ERROR, &error, &len) != 0) return errno;
    return error;
  }
  IoResult send(std::span<const std::uint8_t> bytes) override {
    return result(::send(fd_.get(), bytes.data(), bytes.size(), MSG_DONTWAIT | MSG_NOSIGNAL));
  }
  std::size_t send_space() override {
    // SO_SNDBUF reads back twice what the payload may take (the rest is the kernel's overhead).
    // Autotuning changes it as the connection to the server speeds up, unless we fixed it.
    int sndbuf = fixed_sndbuf_, queued = 0;
    if (sndbuf <= 0 && (sndbuf = read_sndbuf(fd_.get())) <= 0) return 0;
    if (::ioctl(fd_.get(), SIOCOUTQ, &queued) != 0 || queued < 0) return 0;
    const auto budget = static_cast<std::size_t>(sndbuf) / 2, q = static_cast<std::size_t>(queued);
    return q >= budget ? 0 : budget - q;
  }
  IoResult peek(std::span<std::uint8_t> out) override {
    return result(::recv(fd_.get(), out.data(), out.size(), MSG_PEEK | MSG_DONTWAIT));
  }
  IoResult consume(std::size_t n) override {
    // MSG_TRUNC on a TCP socket discards the bytes without copying them.
    return result(::recv(fd_.get(), nullptr, n, MSG_TRUNC | MSG_DONTWAIT));
  }
  void seek(std::size_t offset) override {
    // The receive buffer of one connection is far below 2 GiB (tcp_rmem), so offset fits.
    const int value = static_cast<int>(std::min<std::size_t>(offset, INT32_MAX));
    ::setsockopt(fd_.get(), SOL_SOCKET, SO_PEEK_OFF, &value, sizeof value);
  }
  void shutdown_write() override { ::shutdown(fd_.get(), SHUT_WR); }
  void abort() override {
    const linger l{1, 0};  // close() then sends RST instead of FIN
    ::setsockopt(fd_.get(), SOL_SOCKET, SO_LINGER, &l, sizeof l);
  }

 private:
  device::UniqueFd fd_;
  int epoll_fd_;
  std::uint64_t token_;
  int fixed_sndbuf_;
};

class KernelDatagramSocket final : public DatagramSocket {
 public:
  explicit KernelDatagramSocket(device::UniqueFd fd) : fd_(std::move(fd)) {}

  IoResult send(std::span<const std::uint8_t> payload, std::uint16_t gso_size) override {
    return result(os::send_udp_segments(fd_.get(), payload, gso_size, MSG_DONTWAIT | MSG_NOSIGNAL));
  }
  IoResult receive(std::span<std::uint8_t> out, std::uint16_t& gso_size) override {
    iovec iov{out.data(), out.size()};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    const ssize_t n = ::recvmsg(fd_.get(), &msg, MSG_DONTWAIT);
    if (n < 0) return {0, errno};
    if (msg.msg_flags & MSG_TRUNC) return {static_cast<std::size_t>(n), EMSGSIZE};
    gso_size = 0;
    for (cmsghdr* cm = CMSG_FIRSTHDR(&msg); cm != nullptr; cm = CMSG_NXTHDR(&msg, cm)) {
      if (cm->cmsg_level == SOL_UDP && cm->cmsg_type == UDP_GRO) {
        int size = 0;
        std::memcpy(&size, CMSG_DATA(cm), sizeof size);
        gso_size = static_cast<std::uint16_t>(size);
      }
    }
    return {static_cast<std::size_t>(n), 0};
  }

 private:
  device::UniqueFd fd_;
};

}  // namespace

std::unique_ptr<StreamSocket> KernelSocketFactory::connect_tcp(const FlowKey& flow, std::uint64_t token, int& error) {
  auto fd = open_connected(
      flow, SOCK_STREAM, epoll_fd_, kStreamEvents, token, error,
      [](int s, const void* arg) {
        if (const auto size = static_cast<int>(*static_cast<const std::size_t*>(arg)); size > 0)
          ::setsockopt(s, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
        const int one = 1;
        // What the client pushed goes out now: it already decided when to send.
        ::setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        const int zero = 0;
        ::setsockopt(s, SOL_SOCKET, SO_PEEK_OFF, &zero, sizeof zero);
      },
      &options_.tcp_send_buffer);
  if (!fd.valid()) return nullptr;
  // One getsockopt per connection instead of one per loop iteration: a system call costs about
  // 1 µs on a paravirtualised VM (AMD EPYC test VM), and send_space() runs on every batch.
  const int fixed_sndbuf = options_.tcp_send_buffer > 0 ? read_sndbuf(fd.get()) : 0;
  return std::make_unique<KernelStreamSocket>(std::move(fd), epoll_fd_, token, fixed_sndbuf);
}

std::unique_ptr<DatagramSocket> KernelSocketFactory::connect_udp(const FlowKey& flow, std::uint64_t token, int& error) {
  auto fd = open_connected(
      flow, SOCK_DGRAM, epoll_fd_, EPOLLIN | EPOLLET, token, error,
      [](int s, const void*) {
        const int one = 1;
        ::setsockopt(s, SOL_UDP, UDP_GRO, &one, sizeof one);  // replies coalesced, where the kernel can
      },
      nullptr);
  if (!fd.valid()) return nullptr;
  return std::make_unique<KernelDatagramSocket>(std::move(fd));
}

}  // namespace stack

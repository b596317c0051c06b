// tb_xfer: the two ends of an integration test transfer. The sender streams a deterministic
// pseudo-random byte stream (TCP) or numbered, self-checking datagrams (UDP); the receiver
// hashes what arrived. Both print one JSON line, so a test compares SHA-256 and counts.
//
//   tb_xfer recv --proto tcp|udp --bind ADDR --port P [--expect-datagrams N] [--idle-ms 3000]
//                [--read-rate-mbps R] [--buffer BYTES]
//   tb_xfer send --proto tcp|udp --to ADDR --port P --bytes N [--seed S] [--size 1400]
//                [--rate-mbps R] [--gso]
//
// Through a userspace stack every connection is opened from the client's side, so the
// download direction swaps who connects (TCP only):
//
//   tb_xfer send --reverse --bind ADDR --port P --bytes N [--seed S]      listens, then sends
//   tb_xfer recv --reverse --to ADDR --port P [--read-rate-mbps R] [--buffer BYTES]
//
// Many connections, UDP datagram sizes, a refused connect:
//
//   tb_xfer echo --bind ADDR --port P [--conns N]      TCP echo server; exits after N connections
//   tb_xfer conns --to ADDR --port P --count N --bytes K [--at-once] [--hold]
//       N connections in sequence (connect, send K bytes, half-close, read the echo to EOF), or
//       --at-once: N opened together, each echoing K bytes, "holding N" printed while all are
//       open; with --hold they stay open until SIGUSR1 (or 120 s), then all are closed.
//   tb_xfer udp-echo --bind ADDR --port P             answers the client below until it says quit
//   tb_xfer udp-sizes --to ADDR --port P --sizes 1,100,1400,8000,65507 [--timeout-ms 300]
//       per size: one datagram client → server (the server checks it and acknowledges) and one
//       server → client (asked for by a small request), each "ok", "bad" or "lost".
//   tb_xfer connect --to ADDR --port P [--timeout-ms 10000]   one connect: connected or errno, ms
//
// The receiver (and every server) prints "ready" once it listens, so a test starts the sender
// only then.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>

namespace {

#ifndef UDP_SEGMENT
constexpr int UDP_SEGMENT = 103;
#endif

// Datagram layout: seq(8) | payload length(4) | digest of seq+payload (8) | payload.
constexpr std::size_t kDatagramHeader = 20;

struct Sha256 {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx{EVP_MD_CTX_new(), &EVP_MD_CTX_free};
  Sha256() { EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr); }
  void update(const void* p, std::size_t n) { EVP_DigestUpdate(ctx.get(), p, n); }
  std::string hex() {
    unsigned char md[32];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx.get(), md, &len);
    std::string s;
    char buf[3];
    for (unsigned i = 0; i < len; ++i) {
      std::snprintf(buf, sizeof buf, "%02x", md[i]);
      s += buf;
    }
    return s;
  }
};

std::uint64_t digest64(const std::uint8_t* p, std::size_t n) {
  unsigned char md[32];
  unsigned int len = 0;
  EVP_Digest(p, n, md, &len, EVP_sha256(), nullptr);
  std::uint64_t v;
  std::memcpy(&v, md, sizeof v);
  return v;
}

// xorshift64*: fast, deterministic content for a given seed.
struct Stream {
  std::uint64_t s;
  explicit Stream(std::uint64_t seed) : s(seed ? seed : 0x9E3779B97F4A7C15ull) {}
  void fill(std::uint8_t* p, std::size_t n) {
    while (n >= 8) {
      s ^= s >> 12;
      s ^= s << 25;
      s ^= s >> 27;
      std::uint64_t v = s * 2685821657736338717ull;
      std::memcpy(p, &v, 8);
      p += 8;
      n -= 8;
    }
    for (; n; --n) *p++ = static_cast<std::uint8_t>(s >>= 3);
  }
};

struct Endpoint {
  sockaddr_storage addr{};
  socklen_t len = 0;
  int family = AF_INET;
};

Endpoint endpoint(const std::string& host, int port) {
  Endpoint e;
  if (host.find(':') != std::string::npos) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&e.addr);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(static_cast<std::uint16_t>(port));
    if (inet_pton(AF_INET6, host.c_str(), &a->sin6_addr) != 1) throw std::runtime_error("bad IPv6 address " + host);
    e.len = sizeof *a;
    e.family = AF_INET6;
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&e.addr);
    a->sin_family = AF_INET;
    a->sin_port = htons(static_cast<std::uint16_t>(port));
    if (inet_pton(AF_INET, host.c_str(), &a->sin_addr) != 1) throw std::runtime_error("bad IPv4 address " + host);
    e.len = sizeof *a;
  }
  return e;
}

[[noreturn]] void die(const std::string& what) { throw std::runtime_error(what + ": " + std::strerror(errno)); }

// Large buffers by default so a burst through a slow debug forwarder is queued, not lost at the
// socket; `buffer` sets both to another size (a small receive buffer keeps a slow reader's
// backlog in the system under test rather than in the reader's own socket).
int make_socket(const Endpoint& e, int type, int buffer = 32 << 20) {
  int fd = ::socket(e.family, type, 0);
  if (fd < 0) die("socket");
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buffer, sizeof buffer);
  setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &buffer, sizeof buffer);
  return fd;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// "ECONNREFUSED" for 111.
std::string errno_name(int e) {
  const char* name = ::strerrorname_np(e);
  return name ? name : std::to_string(e);
}

void write_all(int fd, const std::uint8_t* p, std::size_t n) {
  while (n) {
    ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EINTR) continue;
      die("send");
    }
    p += w;
    n -= static_cast<std::size_t>(w);
  }
}

// Reads a stream to its EOF and hashes it; `rate_mbps` > 0 reads no faster than that (64 KB at a
// time, paced from the first byte on): a slow reader.
nlohmann::json receive_stream(int fd, double rate_mbps) {
  Sha256 sha;
  std::vector<std::uint8_t> buf(1 << 20);
  const std::size_t step = rate_mbps > 0 ? std::size_t{64} << 10 : buf.size();
  std::uint64_t total = 0;
  const auto start = std::chrono::steady_clock::now();
  for (;;) {
    if (rate_mbps > 0) {
      const double due_s = static_cast<double>(total) * 8 / (rate_mbps * 1e6);
      std::this_thread::sleep_until(start + std::chrono::duration<double>(due_s));
    }
    ssize_t r = ::recv(fd, buf.data(), step, 0);
    if (r < 0) {
      if (errno == EINTR) continue;
      die("recv");
    }
    if (r == 0) break;
    sha.update(buf.data(), static_cast<std::size_t>(r));
    total += static_cast<std::uint64_t>(r);
  }
  return {{"bytes", total}, {"sha256", sha.hex()}, {"seconds", seconds_since(start)}};
}

// Sends `bytes` of the seeded stream, half-closes, and waits for the peer to close, so every
// byte was taken before we report.
nlohmann::json send_stream(int fd, std::uint64_t bytes, std::uint64_t seed) {
  Stream stream(seed);
  Sha256 sha;
  std::vector<std::uint8_t> buf(256 << 10);
  const auto start = std::chrono::steady_clock::now();
  for (std::uint64_t left = bytes; left;) {
    std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(left, buf.size()));
    stream.fill(buf.data(), n);
    sha.update(buf.data(), n);
    write_all(fd, buf.data(), n);
    left -= n;
  }
  ::shutdown(fd, SHUT_WR);
  char c;
  while (::recv(fd, &c, 1, 0) > 0) {
  }
  return {{"bytes", bytes}, {"sha256", sha.hex()}, {"seconds", seconds_since(start)}};
}

// Listens on `e`, says "ready", accepts one connection.
int accept_one(const Endpoint& e, int buffer) {
  int ls = make_socket(e, SOCK_STREAM, buffer);
  if (::bind(ls, reinterpret_cast<const sockaddr*>(&e.addr), e.len) < 0) die("bind");
  if (::listen(ls, 1) < 0) die("listen");
  std::puts("ready");
  std::fflush(stdout);
  int fd = ::accept(ls, nullptr, nullptr);
  if (fd < 0) die("accept");
  ::close(ls);
  return fd;
}

int connect_to(const Endpoint& e, int buffer) {
  int fd = make_socket(e, SOCK_STREAM, buffer);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&e.addr), e.len) < 0) die("connect");
  return fd;
}

// recv: listens and receives; --reverse: connects and receives.
nlohmann::json recv_tcp(const Endpoint& e, bool reverse, double rate_mbps, int buffer) {
  const int fd = reverse ? connect_to(e, buffer) : accept_one(e, buffer);
  auto out = receive_stream(fd, rate_mbps);
  ::close(fd);
  return out;
}

// send: connects and sends; --reverse: listens and sends.
nlohmann::json send_tcp(const Endpoint& e, bool reverse, std::uint64_t bytes, std::uint64_t seed) {
  const int fd = reverse ? accept_one(e, 32 << 20) : connect_to(e, 32 << 20);
  auto out = send_stream(fd, bytes, seed);
  ::close(fd);
  return out;
}

// --- many connections ------------------------------------------------------------------------

// Echoes every connection until its client half-closes, then closes it; ends after `conns`
// connections (0: never), or after `idle_ms` without any event.
nlohmann::json echo_tcp(const Endpoint& e, std::uint64_t conns, int idle_ms) {
  int ls = ::socket(e.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (ls < 0) die("socket");
  int one = 1;
  setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(ls, reinterpret_cast<const sockaddr*>(&e.addr), e.len) < 0) die("bind");
  if (::listen(ls, 4096) < 0) die("listen");
  const int ep = ::epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) die("epoll_create1");
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = ls;
  if (::epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev) < 0) die("epoll_ctl");
  std::puts("ready");
  std::fflush(stdout);

  struct Conn {
    std::vector<std::uint8_t> pending;  // echo the socket did not take yet
    bool eof = false;
  };
  std::unordered_map<int, Conn> open;
  std::uint64_t done = 0, resets = 0, bytes = 0, max_open = 0;
  std::vector<std::uint8_t> buf(64 << 10);
  std::vector<epoll_event> events(256);
  const auto finish = [&](int fd, bool reset) {
    ::close(fd);  // also leaves the epoll set
    open.erase(fd);
    ++done;
    if (reset) ++resets;
  };
  while (conns == 0 || done < conns) {
    const int n = ::epoll_wait(ep, events.data(), static_cast<int>(events.size()), idle_ms);
    if (n < 0) {
      if (errno == EINTR) continue;
      die("epoll_wait");
    }
    if (n == 0) break;  // idle: a client gave up
    for (int i = 0; i < n; ++i) {
      const int fd = events[static_cast<std::size_t>(i)].data.fd;
      if (fd == ls) {
        for (;;) {
          const int c = ::accept4(ls, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
          if (c < 0) break;
          epoll_event cev{};
          cev.events = EPOLLIN;
          cev.data.fd = c;
          if (::epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev) < 0) die("epoll_ctl");
          open[c];
          max_open = std::max<std::uint64_t>(max_open, open.size());
        }
        continue;
      }
      const auto it = open.find(fd);
      if (it == open.end()) continue;
      Conn& conn = it->second;
      bool failed = false;
      if (!conn.pending.empty()) {  // writable again: the rest of the echo first
        const ssize_t w = ::send(fd, conn.pending.data(), conn.pending.size(), MSG_NOSIGNAL);
        if (w < 0 && errno != EAGAIN) failed = true;
        if (w > 0) conn.pending.erase(conn.pending.begin(), conn.pending.begin() + w);
      }
      while (!failed && !conn.eof && conn.pending.empty()) {
        const ssize_t r = ::recv(fd, buf.data(), buf.size(), 0);
        if (r < 0) {
          if (errno != EAGAIN) failed = true;
          break;
        }
        if (r == 0) {
          conn.eof = true;
          break;
        }
        bytes += static_cast<std::uint64_t>(r);
        const ssize_t w = ::send(fd, buf.data(), static_cast<std::size_t>(r), MSG_NOSIGNAL);
        if (w < 0 && errno != EAGAIN) {
          failed = true;
          break;
        }
        const std::size_t took = w < 0 ? 0 : static_cast<std::size_t>(w);
        conn.pending.assign(buf.begin() + static_cast<std::ptrdiff_t>(took), buf.begin() + r);
      }
      if (failed) {
        finish(fd, true);
        continue;
      }
      if (conn.eof && conn.pending.empty()) {
        finish(fd, false);
        continue;
      }
      epoll_event cev{};
      cev.events = conn.pending.empty() ? EPOLLIN : EPOLLOUT;
      cev.data.fd = fd;
      ::epoll_ctl(ep, EPOLL_CTL_MOD, fd, &cev);
    }
  }
  for (const auto& [fd, conn] : open) ::close(fd);
  ::close(ep);
  ::close(ls);
  return {
      {"connections", done}, {"resets", resets}, {"unfinished", open.size()}, {"bytes", bytes}, {"max_open", max_open}};
}

// Tallies the outcomes of many connections for the report.
struct ConnStats {
  std::uint64_t ok = 0;
  std::map<std::string, std::uint64_t> errors;  // "connect ECONNREFUSED", "echo mismatch", …
  double max_connect_ms = 0, max_total_ms = 0;
  void error(const std::string& what) { ++errors[what]; }
  std::uint64_t failed() const {
    std::uint64_t n = 0;
    for (const auto& [what, count] : errors) n += count;
    return n;
  }
};

double ms_since(std::chrono::steady_clock::time_point start) { return seconds_since(start) * 1000; }

// One short connection after another: connect, K bytes, half-close, the echo read to EOF and
// compared.
nlohmann::json conns_in_sequence(const Endpoint& e, std::uint64_t count, std::size_t bytes, std::uint64_t seed) {
  ConnStats st;
  std::vector<std::uint8_t> data(bytes), echo(bytes + 1);
  const auto start = std::chrono::steady_clock::now();
  for (std::uint64_t i = 0; i < count; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    const int fd = ::socket(e.family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) die("socket");
    // A stuck connection fails alone instead of hanging the run.
    const timeval limit{10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&e.addr), e.len) != 0) {
      st.error("connect " + errno_name(errno));
      ::close(fd);
      continue;
    }
    st.max_connect_ms = std::max(st.max_connect_ms, ms_since(t0));
    Stream(seed + i).fill(data.data(), data.size());
    bool ok = true;
    for (std::size_t off = 0; off < data.size();) {
      const ssize_t w = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
      if (w < 0) {
        if (errno == EINTR) continue;
        st.error("send " + errno_name(errno));
        ok = false;
        break;
      }
      off += static_cast<std::size_t>(w);
    }
    std::size_t got = 0;
    if (ok) {
      ::shutdown(fd, SHUT_WR);
      for (;;) {
        // One byte of room past the end: an echo longer than what was sent shows.
        const ssize_t r = ::recv(fd, echo.data() + std::min(got, bytes), echo.size() - std::min(got, bytes), 0);
        if (r < 0) {
          if (errno == EINTR) continue;
          st.error("recv " + errno_name(errno));
          ok = false;
          break;
        }
        if (r == 0) break;
        got += static_cast<std::size_t>(r);
      }
    }
    if (ok && (got != bytes || std::memcmp(echo.data(), data.data(), bytes) != 0)) {
      st.error("echo mismatch");
      ok = false;
    }
    ::close(fd);
    if (ok) ++st.ok;
    st.max_total_ms = std::max(st.max_total_ms, ms_since(t0));
  }
  return {{"connections", st.ok},
          {"failed", st.failed()},
          {"errors", st.errors},
          {"seconds", seconds_since(start)},
          {"max_connect_ms", st.max_connect_ms},
          {"max_ms", st.max_total_ms}};
}

// `count` connections opened together, each echoing `bytes`; "holding N" once all are open and
// echoed; with `hold`, they stay open until SIGUSR1 (at most 120 s); then all are half-closed and
// read to EOF.
nlohmann::json conns_at_once(const Endpoint& e, std::uint64_t count, std::size_t bytes, std::uint64_t seed, bool hold) {
  ConnStats st;
  const auto start = std::chrono::steady_clock::now();
  struct C {
    int fd = -1;
    std::vector<std::uint8_t> data;
    std::size_t sent = 0, got = 0;
    bool connected = false, failed = false, eof = false;
  };
  std::vector<C> cs(count);
  for (std::uint64_t i = 0; i < count; ++i) {
    C& c = cs[i];
    c.fd = ::socket(e.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c.fd < 0) die("socket");
    c.data.resize(bytes);
    Stream(seed + i).fill(c.data.data(), bytes);
    if (::connect(c.fd, reinterpret_cast<const sockaddr*>(&e.addr), e.len) != 0 && errno != EINPROGRESS) {
      st.error("connect " + errno_name(errno));
      c.failed = true;
    }
  }
  // Runs `step` on every live connection that is ready for `events` until `done` holds for all
  // or the deadline passes (what is left then fails with `late`).
  const auto drive = [&](auto&& events, auto&& step, auto&& done, const std::string& late) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    for (;;) {
      std::vector<pollfd> fds;
      std::vector<C*> who;
      for (auto& c : cs)
        if (!c.failed && !done(c)) {
          fds.push_back({c.fd, events(c), 0});
          who.push_back(&c);
        }
      if (fds.empty()) return;
      if (std::chrono::steady_clock::now() > deadline) {
        for (C* c : who) {
          st.error(late);
          c->failed = true;
        }
        return;
      }
      const int n = ::poll(fds.data(), fds.size(), 1000);
      if (n < 0 && errno != EINTR) die("poll");
      for (std::size_t k = 0; n > 0 && k < fds.size(); ++k)
        if (fds[k].revents != 0) step(*who[k], fds[k].revents);
    }
  };
  std::vector<std::uint8_t> buf(64 << 10);
  drive([](const C&) -> short { return POLLOUT; },
        [&](C& c, short) {
          int err = 0;
          socklen_t len = sizeof err;
          ::getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
          if (err != 0) {
            st.error("connect " + errno_name(err));
            c.failed = true;
            return;
          }
          c.connected = true;
          st.max_connect_ms = std::max(st.max_connect_ms, ms_since(start));
        },
        [](const C& c) { return c.connected; }, "connect timeout");
  // Send each its bytes and read the echo back, the connections staying open.
  drive([](const C& c) -> short { return c.sent < c.data.size() ? POLLIN | POLLOUT : POLLIN; },
        [&](C& c, short revents) {
          if ((revents & POLLOUT) && c.sent < c.data.size()) {
            const ssize_t w = ::send(c.fd, c.data.data() + c.sent, c.data.size() - c.sent, MSG_NOSIGNAL);
            if (w < 0 && errno != EAGAIN) {
              st.error("send " + errno_name(errno));
              c.failed = true;
              return;
            }
            if (w > 0) c.sent += static_cast<std::size_t>(w);
          }
          if (revents & (POLLIN | POLLERR | POLLHUP)) {
            const ssize_t r = ::recv(c.fd, buf.data(), buf.size(), 0);
            if (r < 0 && errno != EAGAIN) {
              st.error("recv " + errno_name(errno));
              c.failed = true;
              return;
            }
            if (r == 0 || c.got + static_cast<std::size_t>(std::max<ssize_t>(r, 0)) > c.data.size() ||
                (r > 0 && std::memcmp(buf.data(), c.data.data() + c.got, static_cast<std::size_t>(r)) != 0)) {
              st.error(r == 0 ? "early EOF" : "echo mismatch");
              c.failed = true;
              return;
            }
            if (r > 0) c.got += static_cast<std::size_t>(r);
          }
        },
        [](const C& c) { return c.got == c.data.size(); }, "echo timeout");
  std::uint64_t open = 0;
  for (const auto& c : cs) open += c.failed ? 0 : 1;
  std::printf("holding %llu\n", static_cast<unsigned long long>(open));
  std::fflush(stdout);
  if (hold) {
    sigset_t usr1;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    const timespec limit{120, 0};
    ::sigtimedwait(&usr1, nullptr, &limit);
  }
  for (auto& c : cs)
    if (!c.failed) ::shutdown(c.fd, SHUT_WR);
  drive([](const C&) -> short { return POLLIN; },
        [&](C& c, short) {
          const ssize_t r = ::recv(c.fd, buf.data(), buf.size(), 0);
          if (r == 0) {
            c.eof = true;
          } else if (r > 0 || errno != EAGAIN) {
            st.error(r > 0 ? "data after the echo" : "recv " + errno_name(errno));
            c.failed = true;
          }
        },
        [](const C& c) { return c.eof; }, "close timeout");
  for (auto& c : cs) {
    if (!c.failed) ++st.ok;
    ::close(c.fd);
  }
  return {{"connections", st.ok},
          {"failed", st.failed()},
          {"errors", st.errors},
          {"seconds", seconds_since(start)},
          {"max_connect_ms", st.max_connect_ms}};
}

// One connect attempt: whether it succeeded, else the errno and how long it took to fail.
nlohmann::json connect_once(const Endpoint& e, int timeout_ms) {
  const int fd = ::socket(e.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) die("socket");
  const auto start = std::chrono::steady_clock::now();
  int err = 0;
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&e.addr), e.len) != 0) {
    err = errno;
    if (err == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      int n;
      do n = ::poll(&p, 1, timeout_ms);
      while (n < 0 && errno == EINTR);
      if (n == 0) {
        err = ETIMEDOUT;
      } else {
        socklen_t len = sizeof err;
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
      }
    }
  }
  const double ms = ms_since(start);
  ::close(fd);
  return {{"connected", err == 0}, {"errno", err}, {"error", err == 0 ? "" : errno_name(err)}, {"ms", ms}};
}

nlohmann::json recv_udp(const Endpoint& e, std::uint64_t expect, int idle_ms, int buffer) {
  int fd = make_socket(e, SOCK_DGRAM, buffer);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&e.addr), e.len) < 0) die("bind");
  std::puts("ready");
  std::fflush(stdout);
  std::vector<std::uint8_t> buf(65536);
  std::vector<bool> seen(expect, false);
  std::uint64_t good = 0, bad = 0, dup = 0, reordered = 0, bytes = 0;
  std::uint64_t next = 0;
  Sha256 sha;  // over the payloads of good datagrams in arrival order
  while (expect == 0 || good < expect) {
    pollfd p{fd, POLLIN, 0};
    // An idle limit only ends a receiver whose datagrams were lost; arrival never waits on it.
    int pr = ::poll(&p, 1, idle_ms);
    if (pr == 0) break;
    if (pr < 0) {
      if (errno == EINTR) continue;
      die("poll");
    }
    ssize_t r = ::recv(fd, buf.data(), buf.size(), 0);
    if (r < 0) die("recv");
    const std::size_t n = static_cast<std::size_t>(r);
    std::uint64_t seq, digest;
    std::uint32_t len;
    if (n < kDatagramHeader) {
      ++bad;
      continue;
    }
    std::memcpy(&seq, buf.data(), 8);
    std::memcpy(&len, buf.data() + 8, 4);
    std::memcpy(&digest, buf.data() + 12, 8);
    std::memset(buf.data() + 12, 0, 8);
    if (len + kDatagramHeader != n || digest64(buf.data(), n) != digest || (expect && seq >= expect)) {
      ++bad;
      continue;
    }
    if (expect && seen[seq]) {
      ++dup;
      continue;
    }
    if (expect) seen[seq] = true;
    // A gap is a loss (the count tells); only a datagram older than one already seen is reordered.
    if (seq < next) ++reordered;
    next = std::max(next, seq + 1);
    ++good;
    bytes += len;
    sha.update(buf.data() + kDatagramHeader, len);
  }
  ::close(fd);
  return {{"datagrams", good},      {"bad", bad},     {"duplicates", dup},
          {"reordered", reordered}, {"bytes", bytes}, {"sha256", sha.hex()}};
}

nlohmann::json send_udp(const Endpoint& e, std::uint64_t bytes, std::uint64_t seed, std::size_t size, double rate_mbps,
                        bool gso) {
  int fd = make_socket(e, SOCK_DGRAM);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&e.addr), e.len) < 0) die("connect");
  const std::size_t payload = size - kDatagramHeader;
  const std::uint64_t count = (bytes + payload - 1) / payload;
  const std::size_t burst = gso ? 16 : 1;  // datagrams per send call (UDP_SEGMENT when gso)
  if (gso) {
    int seg = static_cast<int>(size);
    if (setsockopt(fd, SOL_UDP, UDP_SEGMENT, &seg, sizeof seg) < 0) die("setsockopt UDP_SEGMENT");
  }
  Stream stream(seed);
  Sha256 sha;
  std::vector<std::uint8_t> buf(size * burst);
  const auto start = std::chrono::steady_clock::now();
  std::uint64_t sent_bytes = 0;
  for (std::uint64_t seq = 0; seq < count;) {
    std::size_t n = 0;
    std::size_t used = 0;
    for (; n < burst && seq < count; ++n, ++seq) {
      std::uint8_t* d = buf.data() + used;
      std::uint32_t len = static_cast<std::uint32_t>(std::min<std::uint64_t>(payload, bytes - seq * payload));
      // GSO needs equal-sized datagrams except the last: keep the short tail out of a burst.
      if (gso && len != payload && n > 0) break;
      std::memcpy(d, &seq, 8);
      std::memcpy(d + 8, &len, 4);
      std::memset(d + 12, 0, 8);
      stream.fill(d + kDatagramHeader, len);
      sha.update(d + kDatagramHeader, len);
      std::uint64_t digest = digest64(d, kDatagramHeader + len);
      std::memcpy(d + 12, &digest, 8);
      used += kDatagramHeader + len;
      sent_bytes += len;
    }
    for (;;) {
      ssize_t w = ::send(fd, buf.data(), used, 0);
      if (w >= 0) break;
      if (errno == EINTR) continue;
      if (errno == ENOBUFS || errno == EAGAIN) {
        std::this_thread::yield();  // local queue full: retry, the receiver counts any loss
        continue;
      }
      die("send");
    }
    if (rate_mbps > 0) {
      // Pacing: sleep until this many bits are due at the requested rate.
      const double due_s = static_cast<double>(sent_bytes) * 8 / (rate_mbps * 1e6);
      std::this_thread::sleep_until(start + std::chrono::duration<double>(due_s));
    }
  }
  ::close(fd);
  return {{"datagrams", count}, {"bytes", sent_bytes}, {"sha256", sha.hex()}};
}

// --- UDP datagram sizes ------------------------------------------------------------------------
// The client asks, the server answers, one datagram at a time: an upload (any datagram that is
// not a message below) is checked against the content its size implies and acknowledged; a
// download request is answered with one datagram of the size asked for.

constexpr char kDownMagic[8] = {'T', 'B', 'D', 'O', 'W', 'N', 0, 0};
constexpr char kQuitMagic[8] = {'T', 'B', 'Q', 'U', 'I', 'T', 0, 0};
constexpr char kAckMagic[8] = {'T', 'B', 'A', 'C', 'K', 0, 0, 0};
constexpr std::size_t kMessage = 16;             // magic(8) | u64 size, or magic | u32 size | u32 ok
constexpr std::size_t kMaxDatagram = 65535 - 8;  // IPv6's largest UDP payload (IPv4: 65507)

void fill_upload(std::uint8_t* p, std::size_t n) { Stream(0x5eed0000u + n).fill(p, n); }
void fill_download(std::uint8_t* p, std::size_t n) { Stream(0xd0e70000u + n).fill(p, n); }

bool is_message(const std::uint8_t* p, std::size_t n, const char (&magic)[8]) {
  return n == kMessage && std::memcmp(p, magic, 8) == 0;
}

nlohmann::json udp_echo(const Endpoint& e, int idle_ms) {
  int fd = make_socket(e, SOCK_DGRAM);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&e.addr), e.len) < 0) die("bind");
  std::puts("ready");
  std::fflush(stdout);
  std::vector<std::uint8_t> buf(kMaxDatagram + 1), expect(kMaxDatagram + 1);
  nlohmann::json uploads = nlohmann::json::array();
  std::uint64_t requests = 0;
  bool quit = false;
  while (!quit) {
    pollfd p{fd, POLLIN, 0};
    const int pr = ::poll(&p, 1, idle_ms);
    if (pr == 0) break;
    if (pr < 0) {
      if (errno == EINTR) continue;
      die("poll");
    }
    sockaddr_storage peer{};
    socklen_t plen = sizeof peer;
    const ssize_t r = ::recvfrom(fd, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&peer), &plen);
    if (r < 0) die("recvfrom");
    const auto n = static_cast<std::size_t>(r);
    const auto* to = reinterpret_cast<const sockaddr*>(&peer);
    if (is_message(buf.data(), n, kQuitMagic)) {
      quit = true;
    } else if (is_message(buf.data(), n, kDownMagic)) {
      std::uint64_t size = 0;
      std::memcpy(&size, buf.data() + 8, 8);
      if (size > kMaxDatagram) continue;
      ++requests;
      fill_download(buf.data(), size);
      if (::sendto(fd, buf.data(), size, 0, to, plen) < 0)
        std::fprintf(stderr, "tb_xfer: reply of %llu bytes: %s\n", static_cast<unsigned long long>(size),
                     std::strerror(errno));
    } else {
      fill_upload(expect.data(), n);
      const bool ok = n <= kMaxDatagram && std::memcmp(buf.data(), expect.data(), n) == 0;
      uploads.push_back({{"size", n}, {"ok", ok}});
      std::uint8_t ack[kMessage];
      std::memcpy(ack, kAckMagic, 8);
      const auto len = static_cast<std::uint32_t>(n), good = static_cast<std::uint32_t>(ok);
      std::memcpy(ack + 8, &len, 4);
      std::memcpy(ack + 12, &good, 4);
      ::sendto(fd, ack, sizeof ack, 0, to, plen);
    }
  }
  ::close(fd);
  return {{"uploads", uploads}, {"requests", requests}, {"quit", quit}};
}

nlohmann::json udp_sizes(const Endpoint& e, const std::vector<std::size_t>& sizes, int timeout_ms, int tries) {
  const int fd = ::socket(e.family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) die("socket");
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&e.addr), e.len) < 0) die("connect");
  std::vector<std::uint8_t> buf(kMaxDatagram + 1), data(kMaxDatagram + 1);
  // Waits up to timeout_ms for datagrams, handing each to `take` until it returns true.
  const auto await = [&](auto&& take) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
      if (left <= 0) return false;
      pollfd p{fd, POLLIN, 0};
      const int pr = ::poll(&p, 1, static_cast<int>(left));
      if (pr < 0 && errno == EINTR) continue;
      if (pr <= 0) return false;
      const ssize_t r = ::recv(fd, buf.data(), buf.size(), 0);
      if (r < 0) continue;  // an ICMP error for an earlier datagram: keep waiting
      if (take(static_cast<std::size_t>(r))) return true;
    }
  };
  nlohmann::json results = nlohmann::json::array();
  for (const std::size_t size : sizes) {
    nlohmann::json row{{"size", size}, {"up", "lost"}, {"down", "lost"}};
    fill_upload(data.data(), size);
    for (int t = 0; t < tries && row["up"] == "lost"; ++t) {
      if (::send(fd, data.data(), size, 0) < 0) {
        row["up"] = "send " + errno_name(errno);
        break;
      }
      await([&](std::size_t n) {
        if (!is_message(buf.data(), n, kAckMagic)) return false;
        std::uint32_t len = 0, ok = 0;
        std::memcpy(&len, buf.data() + 8, 4);
        std::memcpy(&ok, buf.data() + 12, 4);
        if (len != size) return false;  // the late answer to an earlier datagram
        row["up"] = ok ? "ok" : "bad";
        return true;
      });
    }
    fill_download(data.data(), size);
    nlohmann::json wrong = nlohmann::json::array();  // lengths of answers that were not it
    for (int t = 0; t < tries && row["down"] != "ok"; ++t) {
      std::uint8_t req[kMessage];
      std::memcpy(req, kDownMagic, 8);
      const std::uint64_t want = size;
      std::memcpy(req + 8, &want, 8);
      if (::send(fd, req, sizeof req, 0) < 0) die("send");
      await([&](std::size_t n) {
        if (is_message(buf.data(), n, kAckMagic)) return false;
        if (n == size && std::memcmp(buf.data(), data.data(), n) == 0) {
          row["down"] = "ok";
          return true;
        }
        row["down"] = "bad";
        wrong.push_back(n);
        return false;
      });
    }
    if (!wrong.empty()) row["down_wrong_sizes"] = wrong;
    results.push_back(row);
  }
  std::uint8_t quit[kMessage] = {};
  std::memcpy(quit, kQuitMagic, 8);
  ::send(fd, quit, sizeof quit, 0);
  ::close(fd);
  return {{"results", results}};
}

}  // namespace

std::vector<std::size_t> parse_sizes(const std::string& list) {
  std::vector<std::size_t> sizes;
  std::stringstream in(list);
  for (std::string item; std::getline(in, item, ',');) {
    const auto n = std::stoull(item);
    if (n == 0 || n > kMaxDatagram) throw std::runtime_error("--sizes: " + item + " is not a UDP payload size");
    sizes.push_back(static_cast<std::size_t>(n));
  }
  return sizes;
}

int main(int argc, char** argv) {
  // conns --hold waits for SIGUSR1 with sigtimedwait(): blocked from the start, so one sent
  // early is kept pending rather than killing us.
  sigset_t usr1;
  sigemptyset(&usr1);
  sigaddset(&usr1, SIGUSR1);
  ::sigprocmask(SIG_BLOCK, &usr1, nullptr);
  // conns --at-once and echo hold one socket per connection: the soft limit of open files
  // (often 1,024) goes up to the hard one.
  if (rlimit files{}; ::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &files);
  }
  try {
    CLI::App app{"tb_xfer: integration-test transfer endpoint"};
    app.require_subcommand(1);
    std::string proto = "tcp", host, bind_host, sizes = "1,100,1400,8000,65507";
    int port = 5201;
    std::uint64_t bytes = 0, seed = 1, expect = 0, conns = 0, count = 1;
    std::size_t size = 1400;
    double rate = 0, read_rate = 0;
    bool gso = false, reverse = false, at_once = false, hold = false;
    int idle_ms = 3000, echo_idle_ms = 30000, timeout_ms = 10000, udp_timeout_ms = 300, tries = 2, buffer = 32 << 20;
    auto* recv = app.add_subcommand("recv", "receive and hash");
    recv->add_option("--proto", proto)->check(CLI::IsMember({"tcp", "udp"}));
    recv->add_option("--bind", bind_host, "listen here (the default direction)");
    recv->add_option("--to", host, "with --reverse: connect here, then receive");
    recv->add_flag("--reverse", reverse, "TCP: connect to --to and receive (the server listens and sends)");
    recv->add_option("--port", port);
    recv->add_option("--expect-datagrams", expect);
    recv->add_option("--idle-ms", idle_ms);
    recv->add_option("--read-rate-mbps", read_rate, "TCP: read no faster than this (a slow reader)");
    recv->add_option("--buffer", buffer, "SO_RCVBUF/SO_SNDBUF (forced), bytes")->check(CLI::Range(4096, 1 << 30));
    auto* send = app.add_subcommand("send", "send a deterministic stream");
    send->add_option("--proto", proto)->check(CLI::IsMember({"tcp", "udp"}));
    send->add_option("--to", host, "connect here (the default direction)");
    send->add_option("--bind", bind_host, "with --reverse: listen here, then send");
    send->add_flag("--reverse", reverse, "TCP: listen on --bind and send to who connects");
    send->add_option("--port", port);
    send->add_option("--bytes", bytes)->required();
    send->add_option("--seed", seed);
    send->add_option("--size", size)->check(CLI::Range(std::size_t{64}, std::size_t{8192}));
    send->add_option("--rate-mbps", rate);
    send->add_flag("--gso", gso, "send UDP in bursts of 16 with UDP_SEGMENT");
    auto* echo = app.add_subcommand("echo", "TCP echo server for `conns`");
    echo->add_option("--bind", bind_host)->required();
    echo->add_option("--port", port);
    echo->add_option("--conns", conns, "exit after this many connections ended (0: at --idle-ms)");
    echo->add_option("--idle-ms", echo_idle_ms, "exit after this long without any event");
    auto* many = app.add_subcommand("conns", "many short TCP connections through an echo server");
    many->add_option("--to", host)->required();
    many->add_option("--port", port);
    many->add_option("--count", count)->required();
    many->add_option("--bytes", bytes, "echoed per connection")->check(CLI::Range(0, 1 << 20));
    many->add_option("--seed", seed);
    many->add_flag("--at-once", at_once, "open all together (else one after another)");
    many->add_flag("--hold", hold, "with --at-once: keep them open until SIGUSR1");
    auto* uecho = app.add_subcommand("udp-echo", "UDP server for `udp-sizes`");
    uecho->add_option("--bind", bind_host)->required();
    uecho->add_option("--port", port);
    uecho->add_option("--idle-ms", echo_idle_ms);
    auto* usizes = app.add_subcommand("udp-sizes", "one datagram each way per size");
    usizes->add_option("--to", host)->required();
    usizes->add_option("--port", port);
    usizes->add_option("--sizes", sizes, "UDP payload sizes, comma-separated")->capture_default_str();
    usizes->add_option("--timeout-ms", udp_timeout_ms, "wait for each answer this long")->capture_default_str();
    usizes->add_option("--tries", tries)->capture_default_str();
    auto* probe = app.add_subcommand("connect", "one TCP connect: connected, or its errno and how long it took");
    probe->add_option("--to", host)->required();
    probe->add_option("--port", port);
    probe->add_option("--timeout-ms", timeout_ms);
    CLI11_PARSE(app, argc, argv);
    if (reverse && proto != "tcp") throw std::runtime_error("--reverse is for TCP");
    // Which address the subcommand binds to or connects to.
    const bool listens =
        ((recv->parsed() || send->parsed()) && (recv->parsed() != reverse)) || echo->parsed() || uecho->parsed();
    const std::string& where = listens ? bind_host : host;
    if (where.empty()) throw std::runtime_error(std::string(listens ? "--bind" : "--to") + " is required here");
    const Endpoint e = endpoint(where, port);
    nlohmann::json out;
    if (recv->parsed())
      out = proto == "tcp" ? recv_tcp(e, reverse, read_rate, buffer) : recv_udp(e, expect, idle_ms, buffer);
    else if (send->parsed())
      out = proto == "tcp" ? send_tcp(e, reverse, bytes, seed) : send_udp(e, bytes, seed, size, rate, gso);
    else if (echo->parsed())
      out = echo_tcp(e, conns, echo_idle_ms);
    else if (many->parsed())
      out = at_once ? conns_at_once(e, count, bytes, seed, hold) : conns_in_sequence(e, count, bytes, seed);
    else if (uecho->parsed())
      out = udp_echo(e, echo_idle_ms);
    else if (usizes->parsed())
      out = udp_sizes(e, parse_sizes(sizes), udp_timeout_ms, tries);
    else
      out = connect_once(e, timeout_ms);
    std::puts(out.dump().c_str());
    return 0;
  } catch (const std::exception& ex) {
    std::fprintf(stderr, "tb_xfer: %s\n", ex.what());
    return 1;
  }
}

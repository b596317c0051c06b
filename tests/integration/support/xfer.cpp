// tb_xfer: the two ends of an integration test transfer. The sender streams a deterministic
// pseudo-random byte stream (TCP) or numbered, self-checking datagrams (UDP); the receiver
// hashes what arrived. Both print one JSON line, so a test compares SHA-256 and counts.
//
//   tb_xfer recv --proto tcp|udp --bind ADDR --port P [--expect-datagrams N] [--idle-ms 3000]
//   tb_xfer send --proto tcp|udp --to ADDR --port P --bytes N [--seed S] [--size 1400]
//                [--rate-mbps R] [--gso]
//
// The receiver prints "ready" once it listens, so a test starts the sender only then.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
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

int make_socket(const Endpoint& e, int type) {
  int fd = ::socket(e.family, type, 0);
  if (fd < 0) die("socket");
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  // Large buffers so a burst through a slow debug forwarder is queued, not lost at the socket.
  int big = 32 << 20;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big);
  setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof big);
  return fd;
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

nlohmann::json recv_tcp(const Endpoint& e) {
  int ls = make_socket(e, SOCK_STREAM);
  if (::bind(ls, reinterpret_cast<const sockaddr*>(&e.addr), e.len) < 0) die("bind");
  if (::listen(ls, 1) < 0) die("listen");
  std::puts("ready");
  std::fflush(stdout);
  int fd = ::accept(ls, nullptr, nullptr);
  if (fd < 0) die("accept");
  Sha256 sha;
  std::vector<std::uint8_t> buf(1 << 20);
  std::uint64_t total = 0;
  for (;;) {
    ssize_t r = ::recv(fd, buf.data(), buf.size(), 0);
    if (r < 0) {
      if (errno == EINTR) continue;
      die("recv");
    }
    if (r == 0) break;
    sha.update(buf.data(), static_cast<std::size_t>(r));
    total += static_cast<std::uint64_t>(r);
  }
  ::close(fd);
  ::close(ls);
  return {{"bytes", total}, {"sha256", sha.hex()}};
}

nlohmann::json send_tcp(const Endpoint& e, std::uint64_t bytes, std::uint64_t seed) {
  int fd = make_socket(e, SOCK_STREAM);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&e.addr), e.len) < 0) die("connect");
  Stream stream(seed);
  Sha256 sha;
  std::vector<std::uint8_t> buf(256 << 10);
  for (std::uint64_t left = bytes; left;) {
    std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(left, buf.size()));
    stream.fill(buf.data(), n);
    sha.update(buf.data(), n);
    write_all(fd, buf.data(), n);
    left -= n;
  }
  ::shutdown(fd, SHUT_WR);
  // Wait for the receiver to close so every byte was taken before we report.
  char c;
  while (::recv(fd, &c, 1, 0) > 0) {
  }
  ::close(fd);
  return {{"bytes", bytes}, {"sha256", sha.hex()}};
}

nlohmann::json recv_udp(const Endpoint& e, std::uint64_t expect, int idle_ms) {
  int fd = make_socket(e, SOCK_DGRAM);
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

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"tb_xfer: integration-test transfer endpoint"};
  app.require_subcommand(1);
  std::string proto = "tcp", host;
  int port = 5201;
  std::uint64_t bytes = 0, seed = 1, expect = 0;
  std::size_t size = 1400;
  double rate = 0;
  bool gso = false;
  int idle_ms = 3000;
  auto* recv = app.add_subcommand("recv", "receive and hash");
  recv->add_option("--proto", proto)->check(CLI::IsMember({"tcp", "udp"}));
  recv->add_option("--bind", host)->required();
  recv->add_option("--port", port);
  recv->add_option("--expect-datagrams", expect);
  recv->add_option("--idle-ms", idle_ms);
  auto* send = app.add_subcommand("send", "send a deterministic stream");
  send->add_option("--proto", proto)->check(CLI::IsMember({"tcp", "udp"}));
  send->add_option("--to", host)->required();
  send->add_option("--port", port);
  send->add_option("--bytes", bytes)->required();
  send->add_option("--seed", seed);
  send->add_option("--size", size)->check(CLI::Range(std::size_t{64}, std::size_t{8192}));
  send->add_option("--rate-mbps", rate);
  send->add_flag("--gso", gso, "send UDP in bursts of 16 with UDP_SEGMENT");
  CLI11_PARSE(app, argc, argv);
  try {
    const Endpoint e = endpoint(host, port);
    nlohmann::json out;
    if (recv->parsed())
      out = proto == "tcp" ? recv_tcp(e) : recv_udp(e, expect, idle_ms);
    else
      out = proto == "tcp" ? send_tcp(e, bytes, seed) : send_udp(e, bytes, seed, size, rate, gso);
    std::puts(out.dump().c_str());
    return 0;
  } catch (const std::exception& ex) {
    std::fprintf(stderr, "tb_xfer: %s\n", ex.what());
    return 1;
  }
}

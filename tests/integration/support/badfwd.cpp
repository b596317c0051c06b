// tb_badfwd: a TEST-ONLY forwarder with one planted defect, for the `tunbench check` tests: each
// defect must fail exactly the check cases whose rule it breaks (docs/check.md). It creates
// tun11 and tun22 (plain IFF_TUN|IFF_NO_PI, no offloads), brings them up and copies every packet
// from one to the other, changing the packets the defect names. With --offload it opens both with
// a virtio-net header and negotiates checksum offload, TSO4/6 and USO (TUNSETOFFLOAD), and passes
// every read, header and all, to the other device unchanged: GSO super-packets included.
//
//   tb_badfwd [--offload] --defect none     a correct forwarder (the control)
//   tb_badfwd --offload --defect gso-tcp-size
//                                           a TCP super-packet passed on with gso_size 8 bytes
//                                           short, so the receiver cuts it elsewhere than the
//                                           kernel's segmentation would
//   tb_badfwd --defect udp6-zero-checksum   every IPv6 UDP packet written with checksum 0
//   tb_badfwd --defect psh-every-segment    PSH set on every TCP segment that carries data
//   tb_badfwd --defect cwr-every-segment    CWR set on every TCP segment that carries data (what a
//                                           split that copies the head's flags to every segment does)
//   tb_badfwd --defect ipv6-ext-length      IPv6 payload length written without the extension
//                                           headers (as if L4 started right after the fixed header)
//   tb_badfwd --defect tcp-checksum         every 16th TCP data segment written with a checksum off by one
//   tb_badfwd --defect fix-l4-checksum      every TCP/UDP checksum recomputed, so a wrong one is "repaired"
//   tb_badfwd --defect busy-loop            never sleeps: non-blocking reads retried at once on EAGAIN
//   tb_badfwd --defect ignore-deleted-tun   a device that is gone is dropped from the loop, which goes on
//                                           forwarding the other way instead of exiting
//
// The packet defects keep the IP header valid, so only the case families they target see them;
// the loop defects forward every packet correctly, so only the robustness cases see them.
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <set>
#include <string>

#include "device/offload_negotiation.h"

namespace {

int open_tun(const char* name, bool offload) {
  const int fd = ::open("/dev/net/tun", O_RDWR | O_CLOEXEC);
  if (fd < 0) return -1;
  ifreq ifr{};
  ifr.ifr_flags = static_cast<short>(IFF_TUN | IFF_NO_PI | (offload ? IFF_VNET_HDR : 0));
  std::memcpy(ifr.ifr_name, name, std::strlen(name));  // "tun11": shorter than IFNAMSIZ
  if (::ioctl(fd, TUNSETIFF, &ifr) != 0) return -1;
  const unsigned offloads =
      device::kTunFCsum | device::kTunFTso4 | device::kTunFTso6 | device::kTunFUso4 | device::kTunFUso6;
  if (offload && ::ioctl(fd, TUNSETOFFLOAD, offloads) != 0) return -1;
  const int s = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0 || ::ioctl(s, SIOCGIFFLAGS, &ifr) != 0) return -1;
  ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
  if (::ioctl(s, SIOCSIFFLAGS, &ifr) != 0) return -1;
  ::close(s);
  return fd;
}

std::uint16_t load16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] << 8 | p[1]); }
void store16(std::uint8_t* p, std::uint16_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}

// Where the L4 header starts and which protocol it is; false for anything but plain IPv4/IPv6
// without extension headers (the defects leave those alone).
bool l4_of(const std::uint8_t* p, std::size_t n, std::size_t* off, int* proto, int* version) {
  if (n < 20) return false;
  *version = p[0] >> 4;
  if (*version == 4) {
    *off = static_cast<std::size_t>(p[0] & 0x0F) * 4;
    *proto = p[9];
  } else if (*version == 6 && n >= 40) {
    *off = 40;
    *proto = p[6];
  } else {
    return false;
  }
  return *off + 8 <= n;
}

// The TCP/UDP checksum of the L4 part p[off, n), computed afresh over the pseudo-header.
std::uint16_t l4_checksum(const std::uint8_t* p, std::size_t n, std::size_t off, int proto, int version) {
  std::uint64_t sum = static_cast<std::uint64_t>(proto) + (n - off);
  const std::size_t addr = version == 4 ? 12 : 8, addr_len = version == 4 ? 8 : 32;
  for (std::size_t i = 0; i < addr_len; i += 2) sum += load16(p + addr + i);
  const std::size_t field = off + (proto == 6 ? 16 : 6);
  for (std::size_t i = off; i < n; i += 2) {
    if (i == field) continue;
    sum += i + 1 < n ? load16(p + i) : static_cast<std::uint16_t>(p[i] << 8);
  }
  while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  const auto c = static_cast<std::uint16_t>(~sum);
  return proto == 17 && c == 0 ? 0xFFFF : c;
}

// Sets TCP flag `bit` (PSH 0x08, CWR 0x80) of the segment at p + off. The flags are the low byte
// of the header's 16-bit word 6, so the word grows by `bit`: the checksum is updated to match,
// and only the flag is wrong.
void set_tcp_flag(std::uint8_t* p, std::size_t off, std::uint8_t bit) {
  if (p[off + 13] & bit) return;
  p[off + 13] = static_cast<std::uint8_t>(p[off + 13] | bit);
  const std::uint32_t c = static_cast<std::uint16_t>(~load16(p + off + 16)) + std::uint32_t{bit};
  store16(p + off + 16, static_cast<std::uint16_t>(~((c & 0xFFFF) + (c >> 16))));
}

// The bytes of the IPv6 extension headers (hop-by-hop 0, routing 43, destination options 60)
// in front of L4; 0 for IPv4 or none.
std::size_t ipv6_extension_bytes(const std::uint8_t* p, std::size_t n) {
  if (n < 40 || (p[0] >> 4) != 6) return 0;
  std::size_t at = 40;
  for (std::uint8_t next = p[6]; (next == 0 || next == 43 || next == 60) && at + 2 <= n;) {
    next = p[at];
    at += (static_cast<std::size_t>(p[at + 1]) + 1) * 8;
  }
  return at - 40;
}

void plant(const std::string& defect, std::uint8_t* p, std::size_t n, unsigned long* tcp_data) {
  if (defect == "ipv6-ext-length") {
    // The IPv6 header has no checksum: only the length field is wrong.
    if (const auto ext = ipv6_extension_bytes(p, n); ext > 0)
      store16(p + 4, static_cast<std::uint16_t>(load16(p + 4) - ext));
    return;
  }
  std::size_t off = 0;
  int proto = 0, version = 0;
  if (!l4_of(p, n, &off, &proto, &version)) return;
  if (defect == "fix-l4-checksum" && (proto == 6 || proto == 17))
    store16(p + off + (proto == 6 ? 16 : 6), l4_checksum(p, n, off, proto, version));
  if (defect == "udp6-zero-checksum" && version == 6 && proto == 17) store16(p + off + 6, 0);
  if (proto != 6 || off + 20 > n) return;
  const std::size_t payload = n - off - static_cast<std::size_t>(p[off + 12] >> 4) * 4;
  if (payload == 0) return;
  ++*tcp_data;
  if (defect == "psh-every-segment") set_tcp_flag(p, off, 0x08);
  if (defect == "cwr-every-segment") set_tcp_flag(p, off, 0x80);
  if (defect == "tcp-checksum" && *tcp_data % 16 == 0)
    store16(p + off + 16, static_cast<std::uint16_t>(load16(p + off + 16) + 1));
}

}  // namespace

int main(int argc, char** argv) {
  const std::set<std::string> defects = {
      "none",         "udp6-zero-checksum", "psh-every-segment",  "cwr-every-segment", "ipv6-ext-length",
      "tcp-checksum", "busy-loop",          "ignore-deleted-tun", "fix-l4-checksum"};
  std::string defect = "none";
  bool offload = false;
  int arg = 1;
  if (arg < argc && std::string(argv[arg]) == "--offload") {
    offload = true;
    ++arg;
  }
  if (argc == arg + 2 && std::string(argv[arg]) == "--defect") defect = argv[arg + 1];
  // With offloads only the GSO defect and the control: the others edit plain packets.
  const bool valid = offload ? (defect == "none" || defect == "gso-tcp-size") : defects.contains(defect);
  if (!valid || argc != arg + 2) {
    std::string names;
    for (const auto& d : defects) names += (names.empty() ? "" : "|") + d;
    std::fprintf(stderr, "usage: tb_badfwd --defect %s\n       tb_badfwd --offload --defect none|gso-tcp-size\n",
                 names.c_str());
    return 2;
  }
  const int fds[2] = {open_tun("tun11", offload), open_tun("tun22", offload)};
  if (fds[0] < 0 || fds[1] < 0) {
    std::fprintf(stderr, "tb_badfwd: cannot create tun11/tun22: %s\n", std::strerror(errno));
    return 1;
  }
  std::fprintf(stderr, "tb_badfwd: TEST-ONLY forwarder, planted defect: %s\n", defect.c_str());
  const bool busy = defect == "busy-loop";
  if (busy)
    for (int fd : fds) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  // A virtio-net header (10 bytes) and a super-packet of up to 64 KB.
  static std::uint8_t buffer[65536 + 16];
  unsigned long tcp_data = 0;
  // A negative fd is skipped by poll(): how ignore-deleted-tun forgets a device.
  pollfd p[2] = {{fds[0], POLLIN, 0}, {fds[1], POLLIN, 0}};
  // SIGTERM/SIGINT keep their default action: the process ends at once.
  for (;;) {
    if (busy) {
      p[0].revents = p[1].revents = POLLIN;  // no waiting: read both, whatever is there
    } else if (::poll(p, 2, -1) < 0 && errno != EINTR) {
      return 1;
    }
    for (int i = 0; i < 2; ++i) {
      const int tun = i == 0 ? 11 : 22;
      if (p[i].revents & (POLLERR | POLLHUP | POLLNVAL)) {
        if (defect == "ignore-deleted-tun") {
          p[i].fd = -1;
          continue;
        }
        std::fprintf(stderr, "tb_badfwd: tun%d: device gone\n", tun);
        return 1;
      }
      if (!(p[i].revents & POLLIN)) continue;
      const ssize_t n = ::read(fds[i], buffer, sizeof buffer);
      if (n < 0 && errno != EAGAIN && errno != EINTR) {
        if (defect == "ignore-deleted-tun") continue;
        std::fprintf(stderr, "tb_badfwd: tun%d: read: %s\n", tun, std::strerror(errno));
        return 1;
      }
      if (n <= 0) continue;
      if (offload) {
        // buffer[1] is gso_type (TCPV4 1, TCPV6 4; 0x80 the ECN bit), buffer[4..5] gso_size, little-endian.
        const int gso = buffer[1] & 0x7F;
        const int size = buffer[4] | buffer[5] << 8;
        if (defect == "gso-tcp-size" && (gso == 1 || gso == 4) && size > 8) {
          buffer[4] = static_cast<std::uint8_t>((size - 8) & 0xFF);
          buffer[5] = static_cast<std::uint8_t>((size - 8) >> 8);
        }
      } else {
        plant(defect, buffer, static_cast<std::size_t>(n), &tcp_data);
      }
      (void)!::write(fds[1 - i], buffer, static_cast<std::size_t>(n));
    }
  }
}

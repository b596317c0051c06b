// Real TUN devices, each test inside its own throw-away network namespace (support/netns.h).
#include "device/tun_device.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "device/packet_io.h"
#include "packet/bytes.h"
#include "packet/checksum.h"
#include "support/netns.h"
#include "support/packet_builder.h"

namespace device {
namespace {

using tbtest::expect_in_new_netns;
using tbtest::Failures;

void write_sysctl(Failures& f, const std::string& path, const std::string& value) {
  std::string err;
  f.expect(tbtest::write_setting(path, value, err), err);
}

// IPv4 UDP datagram without UDP checksum (0 is allowed on IPv4), valid header checksum.
std::vector<std::uint8_t> udp4(const char* src, const char* dst, std::uint8_t ttl, std::size_t payload) {
  std::vector<std::uint8_t> p(28 + payload, 0);
  const std::size_t total = p.size();
  p[0] = 0x45;
  p[2] = static_cast<std::uint8_t>(total >> 8);
  p[3] = static_cast<std::uint8_t>(total);
  p[8] = ttl;
  p[9] = 17;
  inet_pton(AF_INET, src, &p[12]);
  inet_pton(AF_INET, dst, &p[16]);
  tbtest::refresh_ipv4_checksum(p);
  p[20] = 0x30;
  p[21] = 0x39;  // port 12345
  p[22] = 0x13;
  p[23] = 0x88;  // port 5000
  p[24] = static_cast<std::uint8_t>((8 + payload) >> 8);
  p[25] = static_cast<std::uint8_t>(8 + payload);
  for (std::size_t i = 0; i < payload; ++i) p[28 + i] = static_cast<std::uint8_t>(i * 7);
  return p;
}

// ICMP echo request (for the kernel to answer from one of the TUN's own addresses).
std::vector<std::uint8_t> ping4(const char* src, const char* dst) {
  std::vector<std::uint8_t> p(28 + 8, 0);
  p[0] = 0x45;
  p[3] = static_cast<std::uint8_t>(p.size());
  p[8] = 64;
  p[9] = 1;
  inet_pton(AF_INET, src, &p[12]);
  inet_pton(AF_INET, dst, &p[16]);
  tbtest::refresh_ipv4_checksum(p);
  p[20] = 8;  // echo request
  p[24] = 0x12;
  p[25] = 0x34;  // id
  p[26] = 0;
  p[27] = 1;  // seq
  for (std::size_t i = 28; i < p.size(); ++i) p[i] = static_cast<std::uint8_t>(i);
  packet::store_be16(&p[22], packet::finish(packet::sum_bytes(std::span(p).subspan(20))));
  return p;
}

// Reads packets from `q` until one satisfies `match` (the kernel may send IPv6 router
// solicitations and the like first). Blocks: the test's own traffic must arrive.
template <typename Match>
std::vector<std::uint8_t> read_until(TunQueue& q, Match match, Failures& f) {
  std::vector<std::uint8_t> buf(65535);
  for (int attempts = 0; attempts < 64; ++attempts) {
    const IoResult r = q.read(buf);
    if (!f.expect(r.ok(), std::string("read: ") + std::strerror(r.error))) return {};
    std::vector<std::uint8_t> pkt(buf.begin(), buf.begin() + static_cast<long>(r.count));
    if (match(pkt)) return pkt;
  }
  f.fail("the expected packet never came");
  return {};
}

TEST(TunDeviceIntegrationTest, VnetDeviceGetsEveryOffloadOfThisKernel) {
  TB_REQUIRE_ROOT();
  expect_in_new_netns([](Failures& f) {
    const auto dev = TunDevice::open({.name = "tbvnet0", .vnet_hdr = true});
    const Offloads all{true, true, true, true, true};
    f.expect(dev->offloads() == all, "granted: " + describe(dev->offloads()));
    f.expect(dev->queue(0).offloads() == all, "queue disagrees with device");
    f.expect(dev->name() == "tbvnet0", "name " + dev->name());
  });
}

TEST(TunDeviceIntegrationTest, WithoutUsoWantedOnlyTcpOffloads) {
  TB_REQUIRE_ROOT();
  expect_in_new_netns([](Failures& f) {
    const auto dev = TunDevice::open({.name = "tbvnet1", .vnet_hdr = true, .want_uso = false});
    f.expect(dev->offloads() == Offloads{true, true, true, true, false}, describe(dev->offloads()));
  });
}

TEST(TunDeviceIntegrationTest, PlainDeviceHasNoOffloads) {
  TB_REQUIRE_ROOT();
  expect_in_new_netns([](Failures& f) {
    const auto dev = TunDevice::open({.name = "tbplain0"});
    f.expect(dev->offloads() == Offloads{}, "granted: " + describe(dev->offloads()));
    f.expect(dev->queue_count() == 1, "queue count");
  });
}

TEST(TunDeviceIntegrationTest, NamePatternIsResolvedByTheKernel) {
  TB_REQUIRE_ROOT();
  expect_in_new_netns([](Failures& f) {
    const auto dev = TunDevice::open({.name = "tbpat%d"});
    f.expect(dev->name() == "tbpat0", "name " + dev->name());
    f.expect(::if_nametoindex("tbpat0") != 0, "tbpat0 does not exist");
  });
}

TEST(TunDeviceIntegrationTest, LinkConfigIsApplied) {
  TB_REQUIRE_ROOT();
  expect_in_new_netns([](Failures& f) {
    const auto dev = TunDevice::open({.name = "tbcfg0", .mtu = 1420, .ipv4 = "10.0.1.1/24", .ipv6 = "fd00:1::1/64"});
    const auto down = TunDevice::open({.name = "tbcfg1", .up = false});
    const int s = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ifreq ifr{};
    std::strcpy(ifr.ifr_name, "tbcfg0");
    f.expect(::ioctl(s, SIOCGIFMTU, &ifr) == 0, "SIOCGIFMTU tbcfg0");
    f.expect(ifr.ifr_mtu == 1420, "MTU " + std::to_string(ifr.ifr_mtu));
    f.expect(::ioctl(s, SIOCGIFFLAGS, &ifr) == 0 && (ifr.ifr_flags & IFF_UP), "tbcfg0 not up");
    std::strcpy(ifr.ifr_name, "tbcfg1");
    f.expect(::ioctl(s, SIOCGIFFLAGS, &ifr) == 0 && !(ifr.ifr_flags & IFF_UP), "tbcfg1 up");
    f.expect(::ioctl(s, SIOCGIFMTU, &ifr) == 0, "SIOCGIFMTU tbcfg1");
    f.expect(ifr.ifr_mtu == 1500, "default MTU " + std::to_string(ifr.ifr_mtu));
    ::close(s);

    bool v4 = false, v6 = false;
    ifaddrs* list = nullptr;
    f.expect(::getifaddrs(&list) == 0, "getifaddrs");
    for (ifaddrs* a = list; a; a = a->ifa_next) {
      if (!a->ifa_addr || std::strcmp(a->ifa_name, "tbcfg0") != 0) continue;
      char text[INET6_ADDRSTRLEN] = {};
      char mask[INET6_ADDRSTRLEN] = {};
      if (a->ifa_addr->sa_family == AF_INET) {
        inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(a->ifa_addr)->sin_addr, text, sizeof text);
        inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(a->ifa_netmask)->sin_addr, mask, sizeof mask);
        v4 = v4 || (std::string(text) == "10.0.1.1" && std::string(mask) == "255.255.255.0");
      } else if (a->ifa_addr->sa_family == AF_INET6) {
        inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(a->ifa_addr)->sin6_addr, text, sizeof text);
        inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(a->ifa_netmask)->sin6_addr, mask, sizeof mask);
        v6 = v6 || (std::string(text) == "fd00:1::1" && std::string(mask) == "ffff:ffff:ffff:ffff::");
      }
    }
    ::freeifaddrs(list);
    f.expect(v4, "10.0.1.1/24 missing on tbcfg0");
    f.expect(v6, "fd00:1::1/64 missing on tbcfg0");
  });
}

// The transmit queue is what the kernel holds for the reader: datagrams sent towards the device
// while nobody reads are all kept up to tx_queue_len, and beyond it dropped (the kernel's 500
// when none is asked for).
TEST(TunDeviceIntegrationTest, TransmitQueueHoldsAsManyPacketsAsAsked) {
  TB_REQUIRE_ROOT();
  expect_in_new_netns([](Failures& f) {
    // No IPv6 on the devices: the kernel's own solicitations would take places in the queue.
    write_sysctl(f, "/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
    const struct {
      const char* name;
      const char* address;
      const char* peer;
      std::uint32_t asked;
      std::size_t kept;
    } cases[] = {{"tbq0", "10.0.1.1/24", "10.0.1.2", 4096, 1000}, {"tbq1", "10.0.2.1/24", "10.0.2.2", 0, 500}};
    for (const auto& c : cases) {
      const auto dev = TunDevice::open({.name = c.name, .tx_queue_len = c.asked, .ipv4 = c.address});
      const int s = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
      ifreq ifr{};
      std::strcpy(ifr.ifr_name, c.name);
      f.expect(::ioctl(s, SIOCGIFTXQLEN, &ifr) == 0, std::string("SIOCGIFTXQLEN ") + c.name);
      f.expect(ifr.ifr_qlen == static_cast<int>(c.asked == 0 ? 500 : c.asked),
               std::string(c.name) + " txqueuelen " + std::to_string(ifr.ifr_qlen));
      sockaddr_in to{};
      to.sin_family = AF_INET;
      to.sin_port = htons(9);
      f.expect(::inet_pton(AF_INET, c.peer, &to.sin_addr) == 1, c.peer);
      const std::array<std::uint8_t, 64> payload{};
      std::size_t sent = 0;
      for (int i = 0; i < 1000; ++i)
        if (::sendto(s, payload.data(), payload.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to) ==
            static_cast<ssize_t>(payload.size()))
          ++sent;
      ::close(s);
      f.expect(sent == 1000, std::string(c.name) + ": sent " + std::to_string(sent));
      std::size_t packets = 0, datagrams = 0;
      std::array<std::uint8_t, 2048> buffer{};
      for (long n; (n = read_packet(dev->queue(0).fd(), false, buffer, nullptr, Wait::kNever)) > 0; ++packets)
        if (buffer[0] == 0x45 && buffer[9] == 17 && static_cast<std::size_t>(n) == 28 + payload.size()) ++datagrams;
      f.expect(packets == c.kept && datagrams == c.kept,
               std::string(c.name) + ": read " + std::to_string(packets) + " packets, " + std::to_string(datagrams) +
                   " of the 1000 datagrams; expected " + std::to_string(c.kept));
    }
  });
}

TEST(TunDeviceIntegrationTest, BadAddressNamesDeviceAndStep) {
  TB_REQUIRE_ROOT();
  expect_in_new_netns([](Failures& f) {
    try {
      TunDevice::open({.name = "tbbad0", .ipv4 = "10.0.1.300/24"});
      f.fail("no error");
    } catch (const DeviceError& e) {
      f.expect(std::string(e.what()).starts_with("tbbad0: parse address"), e.what());
    }
    try {
      // An MTU below the IPv4 minimum is refused by the kernel with an explanation.
      TunDevice::open({.name = "tbbad1", .mtu = 10});
      f.fail("no error for MTU 10");
    } catch (const DeviceError& e) {
      f.expect(std::string(e.what()).starts_with("tbbad1: set MTU: Invalid argument"), e.what());
    }
  });
}

TEST(TunDeviceIntegrationTest, MultiQueueDeviceHasWorkingQueues) {
  TB_REQUIRE_ROOT();
  expect_in_new_netns([](Failures& f) {
    const auto dev = TunDevice::open({.name = "tbmq0", .vnet_hdr = true, .queues = 2, .ipv4 = "10.0.3.1/24"});
    if (!f.expect(dev->queue_count() == 2, "queue count")) return;
    f.expect(dev->queue(0).fd() != dev->queue(1).fd(), "same fd twice");
    f.expect(dev->queue(1).offloads() == dev->offloads(), "queue 1 offloads");
    // Ping the device's address through each queue; the reply comes back on some queue.
    for (std::size_t i = 0; i < 2; ++i) {
      const auto ping = ping4("10.0.3.2", "10.0.3.1");
      const IoResult w = dev->queue(i).write(ping);
      f.expect(w.ok() && w.count == ping.size(), "write on queue " + std::to_string(i));
      std::array<pollfd, 2> fds{{{dev->queue(0).fd(), POLLIN, 0}, {dev->queue(1).fd(), POLLIN, 0}}};
      bool replied = false;
      while (!replied && ::poll(fds.data(), 2, 5000) > 0) {
        for (std::size_t k = 0; k < 2; ++k) {
          if (!(fds[k].revents & POLLIN)) continue;
          std::vector<std::uint8_t> buf(65535);
          const IoResult r = dev->queue(k).read(buf);
          // Echo reply (type 0) from 10.0.3.1.
          if (r.ok() && r.count >= 28 && buf[0] == 0x45 && buf[9] == 1 && buf[20] == 0) replied = true;
        }
      }
      f.expect(replied, "no echo reply for the ping written on queue " + std::to_string(i));
    }
  });
}

class RoutedTest : public ::testing::TestWithParam<bool> {};

// A packet written into tun A is routed by the namespace's kernel out of tun B, TTL - 1.
TEST_P(RoutedTest, PacketWrittenIntoOneTunIsReadFromTheOther) {
  TB_REQUIRE_ROOT();
  const bool vnet = GetParam();
  expect_in_new_netns([vnet](Failures& f) {
    // Per-namespace sysctls; set before the devices exist so they inherit "default".
    write_sysctl(f, "/proc/sys/net/ipv4/ip_forward", "1");
    write_sysctl(f, "/proc/sys/net/ipv4/conf/all/rp_filter", "0");
    write_sysctl(f, "/proc/sys/net/ipv4/conf/default/rp_filter", "0");
    const auto a = TunDevice::open({.name = "tbA", .vnet_hdr = vnet, .ipv4 = "10.0.1.1/24"});
    const auto b = TunDevice::open({.name = "tbB", .vnet_hdr = vnet, .ipv4 = "10.0.2.1/24"});
    const auto sent = udp4("10.0.1.2", "10.0.2.2", 64, 1000);
    if (vnet) {
      std::array<OutPacket, 1> out{OutPacket{.bytes = sent}};
      const IoResult w = a->queue(0).send_batch(out);
      f.expect(w.ok() && w.count == 1, std::string("send_batch: ") + std::strerror(w.error));
    } else {
      const IoResult w = a->queue(0).write(sent);
      f.expect(w.ok() && w.count == sent.size(), std::string("write: ") + std::strerror(w.error));
    }
    const auto got = read_until(
        b->queue(0), [](const std::vector<std::uint8_t>& p) { return p.size() >= 20 && p[0] == 0x45 && p[9] == 17; },
        f);
    if (!f.expect(got.size() == sent.size(), "size " + std::to_string(got.size()))) return;
    f.expect(got[8] == 63, "TTL not decremented: " + std::to_string(got[8]));
    f.expect(std::equal(sent.begin() + 12, sent.end(), got.begin() + 12), "addresses/payload changed");
    f.expect(tbtest::ipv4_checksum_ok(got), "bad IPv4 header checksum after forwarding");
  });
}

INSTANTIATE_TEST_SUITE_P(VnetAndPlain, RoutedTest, ::testing::Bool(),
                         [](const auto& instance) { return instance.param ? "vnet" : "plain"; });

TEST(TunDeviceIntegrationTest, AsyncViewSendsAndReceives) {
  TB_REQUIRE_ROOT();
  expect_in_new_netns([](Failures& f) {
    const auto dev = TunDevice::open({.name = "tbasync0", .vnet_hdr = true, .ipv4 = "10.0.4.1/24"});
    boost::asio::io_context io;
    const auto async = dev->make_async(io.get_executor());
    f.expect(async->offloads() == dev->offloads(), "async offloads");
    const auto ping = ping4("10.0.4.2", "10.0.4.1");
    const std::array<OutPacket, 1> out{OutPacket{.bytes = ping}};
    IoResult sent{0, -1};
    async->async_send_batch(out, [&](IoResult r) { sent = r; });
    io.run();
    f.expect(sent.ok() && sent.count == 1, std::string("async send: ") + std::strerror(sent.error));
    // Read until the echo reply shows up (IPv6 router solicitations may come first).
    std::vector<std::uint8_t> buf(65535);
    std::array<Packet, 1> in{Packet{.buffer = buf}};
    bool replied = false;
    for (int i = 0; i < 16 && !replied; ++i) {
      IoResult got{0, -1};
      async->async_recv_batch(in, [&](IoResult r) { got = r; });
      io.restart();
      io.run();
      if (!f.expect(got.ok() && got.count == 1, std::string("async recv: ") + std::strerror(got.error))) return;
      const auto p = in[0].bytes();
      replied = p.size() >= 28 && p[0] == 0x45 && p[9] == 1 && p[20] == 0;
    }
    f.expect(replied, "no echo reply through the async view");
  });
}

TEST(TunDeviceIntegrationTest, InterruptWakesAReadOnARealTun) {
  TB_REQUIRE_ROOT();
  expect_in_new_netns([](Failures& f) {
    const auto dev = TunDevice::open({.name = "tbint0", .up = false});
    dev->interrupt();
    std::vector<std::uint8_t> buf(2048);
    f.expect(dev->queue(0).read(buf).error == ECANCELED, "read after interrupt");
  });
}

}  // namespace
}  // namespace device

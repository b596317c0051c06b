#pragma once
// Shared pieces of the differential conformance tests (kernel vs offload engine): namespace
// set-up that TunDevice does not cover (sysctls, a namespace-local sysfs, tx queue length,
// ethtool features, an IFF_NAPI TUN), bounded-wait I/O on raw TUN fds, undoing what IP
// forwarding changes, the replay seed, summaries and pcap fixtures of failing cases.
//
// Everything here runs inside a run_in_new_netns() child: it never touches the root namespace.
#include <fcntl.h>
#include <linux/ethtool.h>
#include <linux/if_tun.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "device/ip_prefix.h"
#include "device/netlink.h"
#include "device/unique_fd.h"
#include "packet/ipv4_header.h"
#include "packet/ipv6_header.h"
#include "support/fixtures.h"
#include "support/netns.h"
#include "support/pcap_files.h"
#include "vnet/vnet_header.h"

namespace tbtest {

// Both directions of the differential tests: the TUN and veth MTU, and the UDP/TCP port of the
// data packets (the end-of-case marker uses its own).
inline constexpr int kConformanceMtu = 1500;
inline constexpr std::uint16_t kConformanceDataPort = 5001;

using Bytes = std::vector<std::uint8_t>;

inline std::string errno_text(const std::string& what) { return what + ": " + std::strerror(errno); }

// The seed is printed by every test; TB_CONFORMANCE_SEED replays a run exactly.
inline std::uint64_t seed_from_env(std::uint64_t fallback) {
  const char* s = std::getenv("TB_CONFORMANCE_SEED");
  return s && *s ? std::strtoull(s, nullptr, 0) : fallback;
}

// TB_CONFORMANCE_CASES overrides the number of generated cases (e.g. thousands for a soak run).
inline std::size_t cases_from_env(std::size_t fallback) {
  const char* s = std::getenv("TB_CONFORMANCE_CASES");
  return s && *s ? static_cast<std::size_t>(std::strtoull(s, nullptr, 0)) : fallback;
}

// splitmix64: small, seedable, identical on every libstdc++ (std::uniform_int_distribution is not
// specified bit-for-bit, which would break replay across toolchains).
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : s_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (s_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [lo, hi] (modulo bias is irrelevant for test generation).
  std::size_t range(std::size_t lo, std::size_t hi) { return lo + static_cast<std::size_t>(next() % (hi - lo + 1)); }
  bool chance(unsigned percent) { return next() % 100 < percent; }
  std::uint8_t byte() { return static_cast<std::uint8_t>(next()); }

 private:
  std::uint64_t s_;
};

// Per-namespace routing sysctls, set before the devices exist so they inherit "default":
// forwarding for both families, no reverse-path filter, no IPv6 DAD.
inline bool enable_forwarding(std::string& err) {
  return write_setting("/proc/sys/net/ipv4/ip_forward", "1", err) &&
         write_setting("/proc/sys/net/ipv4/conf/all/rp_filter", "0", err) &&
         write_setting("/proc/sys/net/ipv4/conf/default/rp_filter", "0", err) &&
         write_setting("/proc/sys/net/ipv6/conf/all/forwarding", "1", err) &&
         write_setting("/proc/sys/net/ipv6/conf/default/forwarding", "1", err) &&
         write_setting("/proc/sys/net/ipv6/conf/default/accept_dad", "0", err);
}

// /sys shows the devices of the namespace that mounted it, so the test namespace needs its own
// sysfs to reach per-device knobs (gro_flush_timeout). A private mount namespace keeps the mount
// from propagating anywhere; it disappears with the child process.
inline bool mount_namespace_sysfs(std::string& err) {
  if (::unshare(CLONE_NEWNS) != 0) return err = errno_text("unshare(CLONE_NEWNS)"), false;
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
    return err = errno_text("make / private"), false;
  if (::mount("sysfs", "/sys", "sysfs", 0, nullptr) != 0) return err = errno_text("mount sysfs"), false;
  return true;
}

// A burst must fit the TUN's tx ring (tx_queue_len, 500 by default) because the test reads only
// after writing: a GSO super-packet segmented by the stack enqueues every segment at once.
inline bool set_txqueuelen(const std::string& dev, int len, std::string& err) {
  const device::UniqueFd s(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, dev.c_str(), IFNAMSIZ - 1);
  ifr.ifr_qlen = len;
  if (::ioctl(s.get(), SIOCSIFTXQLEN, &ifr) != 0) return err = errno_text(dev + ": SIOCSIFTXQLEN"), false;
  return true;
}

// Switches one ethtool feature by its name (ETH_SS_FEATURES string, e.g. "rx-udp-gro-forwarding")
// and reads it back: the ioctl accepts requests it cannot honour.
inline bool set_feature(const std::string& dev, const std::string& feature, bool on, std::string& err) {
  const device::UniqueFd s(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, dev.c_str(), IFNAMSIZ - 1);
  auto call = [&](void* data, const char* what) {
    ifr.ifr_data = static_cast<char*>(data);
    if (::ioctl(s.get(), SIOCETHTOOL, &ifr) < 0) return err = errno_text(dev + ": " + what), false;
    return true;
  };
  // The kernel structs end in flexible arrays: size raw buffers for them.
  std::vector<std::uint64_t> info_buf((sizeof(ethtool_sset_info) + sizeof(std::uint32_t) + 7) / 8, 0);
  auto* info = reinterpret_cast<ethtool_sset_info*>(info_buf.data());
  info->cmd = ETHTOOL_GSSET_INFO;
  info->sset_mask = 1ull << ETH_SS_FEATURES;
  if (!call(info, "ETHTOOL_GSSET_INFO")) return false;
  const std::uint32_t count = info->data[0];

  std::vector<std::uint64_t> str_buf((sizeof(ethtool_gstrings) + std::size_t{count} * ETH_GSTRING_LEN + 7) / 8, 0);
  auto* strings = reinterpret_cast<ethtool_gstrings*>(str_buf.data());
  strings->cmd = ETHTOOL_GSTRINGS;
  strings->string_set = ETH_SS_FEATURES;
  strings->len = count;
  if (!call(strings, "ETHTOOL_GSTRINGS")) return false;
  std::optional<std::uint32_t> index;
  for (std::uint32_t i = 0; i < count && !index; ++i) {
    const char* name = reinterpret_cast<const char*>(strings->data) + std::size_t{i} * ETH_GSTRING_LEN;
    if (feature == std::string(name, strnlen(name, ETH_GSTRING_LEN))) index = i;
  }
  if (!index) return err = dev + ": no ethtool feature " + feature, false;

  const std::uint32_t blocks = (count + 31) / 32;
  const std::uint32_t word = *index / 32, bit = 1u << (*index % 32);
  std::vector<std::uint64_t> set_buf((sizeof(ethtool_sfeatures) + blocks * sizeof(ethtool_set_features_block) + 7) / 8,
                                     0);
  auto* sf = reinterpret_cast<ethtool_sfeatures*>(set_buf.data());
  sf->cmd = ETHTOOL_SFEATURES;
  sf->size = blocks;
  sf->features[word].valid = bit;
  sf->features[word].requested = on ? bit : 0;
  if (!call(sf, "ETHTOOL_SFEATURES")) return false;

  std::vector<std::uint64_t> get_buf((sizeof(ethtool_gfeatures) + blocks * sizeof(ethtool_get_features_block) + 7) / 8,
                                     0);
  auto* gf = reinterpret_cast<ethtool_gfeatures*>(get_buf.data());
  gf->cmd = ETHTOOL_GFEATURES;
  gf->size = blocks;
  if (!call(gf, "ETHTOOL_GFEATURES")) return false;
  if (((gf->features[word].active & bit) != 0) != on)
    return err = dev + ": feature " + feature + " did not switch", false;
  return true;
}

// TunDevice has no IFF_NAPI: the GRO test opens that device itself. IFF_NAPI makes tun queue
// each written skb and run napi_gro_receive() on it from its own NAPI poll.
inline device::UniqueFd open_napi_tun(const std::string& name, int mtu, const std::string& ipv4,
                                      const std::string& ipv6, std::string& err) {
  device::UniqueFd fd(::open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK));
  if (!fd.valid()) return err = errno_text("open /dev/net/tun"), device::UniqueFd{};
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI | IFF_NAPI;
  if (::ioctl(fd.get(), TUNSETIFF, &ifr) != 0)
    return err = errno_text(name + ": TUNSETIFF IFF_NAPI"), device::UniqueFd{};
  const int ifindex = static_cast<int>(::if_nametoindex(name.c_str()));
  device::Netlink nl;
  auto check = [&](const device::NetlinkResult& r, const std::string& step) {
    if (!r.ok()) err = name + ": " + step + ": " + r.message;
    return r.ok();
  };
  const auto p4 = device::parse_prefix(ipv4, AF_INET);
  const auto p6 = device::parse_prefix(ipv6, AF_INET6);
  if (!p4 || !p6) return err = "bad prefix", device::UniqueFd{};
  if (!check(nl.set_mtu(ifindex, mtu), "set MTU") || !check(nl.add_address(ifindex, *p4), "add " + ipv4) ||
      !check(nl.add_address(ifindex, *p6), "add " + ipv6) || !check(nl.set_up(ifindex), "set up"))
    return device::UniqueFd{};
  return fd;
}

inline bool write_packet(int fd, std::span<const std::uint8_t> bytes, std::string& err) {
  const ssize_t n = ::write(fd, bytes.data(), bytes.size());
  if (n < 0) return err = errno_text("write"), false;
  if (static_cast<std::size_t>(n) != bytes.size()) return err = "short write", false;
  return true;
}

// One packet, or nothing when none came within `timeout_ms` (poll() is the hang guard only:
// callers know from the data when everything has arrived).
inline std::optional<Bytes> read_packet(int fd, int timeout_ms) {
  pollfd p{fd, POLLIN, 0};
  for (;;) {
    const int r = ::poll(&p, 1, timeout_ms);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return std::nullopt;
    Bytes buf(vnet::kHeaderSize + 65535);
    const ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n < 0) return std::nullopt;
    buf.resize(static_cast<std::size_t>(n));
    return buf;
  }
}

// Undoes what forwarding legitimately changes, so a packet read after routing compares byte for
// byte with what was written: TTL / hop limit + 1 and the IPv4 header checksum. Returns false
// when the forwarded packet did not have TTL - 1 or a valid IPv4 header checksum.
inline bool unforward(Bytes& p, std::string& why) {
  if (p.empty()) return why = "empty packet", false;
  if ((p[0] >> 4) == 4 && packet::Ipv4Header::fits(p)) {
    packet::Ipv4Header ip(p);
    if (ip.header_length() < packet::Ipv4Header::kMinSize || ip.header_length() > p.size())
      return why = "bad IHL", false;
    if (!ip.checksum_valid()) return why = "IPv4 header checksum invalid after forwarding", false;
    ip.set_ttl(static_cast<std::uint8_t>(ip.ttl() + 1));
    ip.update_checksum();
    return true;
  }
  if ((p[0] >> 4) == 6 && packet::Ipv6Header::fits(p)) {
    packet::Ipv6Header ip(p);
    ip.set_hop_limit(static_cast<std::uint8_t>(ip.hop_limit() + 1));
    return true;
  }
  return why = "not IP", false;
}

// Per-test tallies and the one summary line the task asks for.
struct Tally {
  std::size_t cases = 0, agree = 0, documented = 0, failures = 0;
  std::map<std::string, std::size_t> by_reason;  // documented difference -> occurrences
  std::vector<std::string> failure_text;         // first few, in full

  void document(const std::string& reason) { ++by_reason[reason]; }
  void fail(const std::string& text) {
    if (failure_text.size() < 12) failure_text.push_back(text);
  }
  void print(const char* name, std::uint64_t seed) const {
    std::printf("conformance %s: %zu cases, %zu agree, %zu documented differences, %zu failures, seed %llu\n", name,
                cases, agree, documented, failures, static_cast<unsigned long long>(seed));
    for (const auto& [reason, n] : by_reason) std::printf("  documented (%zu): %s\n", n, reason.c_str());
    for (const auto& t : failure_text) std::printf("  FAILURE: %s\n", t.c_str());
    std::fflush(stdout);  // the namespace child leaves through _exit(), which does not flush stdio
  }
  // The verdict: no failure, and at least one case that agreed (none would mean the set-up is
  // broken, not that everything conforms).
  void expect_conformance(Failures& f, const char* what, std::uint64_t seed) const {
    f.expect(failures == 0, std::to_string(failures) + " " + what + " conformance failures (see output; seed " +
                                std::to_string(seed) + ")");
    f.expect(cases > 0 && agree > 0, "no case agreed: the set-up is broken");
  }
};

// Where failing cases go: TB_CONFORMANCE_FIXTURES, else fixtures/conformance/ of the source tree.
inline std::string conformance_fixture_dir() {
  const char* e = std::getenv("TB_CONFORMANCE_FIXTURES");
  std::string dir = e && *e ? e : fixture_path("conformance").string();
  ::mkdir(dir.c_str(), 0755);
  return dir;
}

// Writes one pcap file of a failing case; returns its path, or the error text prefixed with
// "error: ".
inline std::string save_pcap(const std::string& file, int dlt, const std::vector<Bytes>& records) {
  std::string path = conformance_fixture_dir() + "/" + file;
  try {
    write_pcap_records(path, dlt, records);
  } catch (const std::exception& e) {
    return std::string("error: ") + e.what();
  }
  return path;
}

// Saves a failing case as <base>-input.pcap, <base>-kernel.pcap and <base>-ours.pcap (what went
// in, what the kernel and the engine made of it); returns the input's path for the report.
inline std::string save_case(const std::string& base, int input_dlt, const std::vector<Bytes>& input, int output_dlt,
                             const std::vector<Bytes>& kernel, const std::vector<Bytes>& ours) {
  std::string path = save_pcap(base + "-input.pcap", input_dlt, input);
  save_pcap(base + "-kernel.pcap", output_dlt, kernel);
  save_pcap(base + "-ours.pcap", output_dlt, ours);
  return path;
}

}  // namespace tbtest

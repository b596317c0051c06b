#include "device/tun_device.h"

#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "device/async_tun_device.h"
#include "device/netlink.h"
#include "device/offload_negotiation.h"

namespace device {

namespace {

constexpr std::size_t kMaxQueues = 256;  // kernel MAX_TAP_QUEUES

[[noreturn]] void fail(const std::string& name, std::string_view step, int err) {
  throw DeviceError(fmt::format("{}: {}: {}", name, step, std::strerror(err)));
}

UniqueFd open_clone_device(const std::string& name) {
  UniqueFd fd(::open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK));
  if (!fd.valid()) fail(name, "open /dev/net/tun", errno);
  return fd;
}

// Attaches `fd` to the device; returns the name the kernel gave it (patterns like "tun%d").
std::string attach(int fd, const std::string& name, unsigned flags) {
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
  ifr.ifr_flags = static_cast<short>(flags);
  if (::ioctl(fd, TUNSETIFF, &ifr) < 0) fail(name, "TUNSETIFF", errno);
  return std::string(ifr.ifr_name, strnlen(ifr.ifr_name, IFNAMSIZ));
}

void apply_link_config(const std::string& name, const TunConfig& config) {
  const int ifindex = static_cast<int>(::if_nametoindex(name.c_str()));
  if (ifindex == 0) fail(name, "if_nametoindex", errno);
  std::unique_ptr<Netlink> nl;
  try {
    nl = std::make_unique<Netlink>();
  } catch (const std::system_error& e) {
    fail(name, "netlink socket", e.code().value());
  }
  auto check = [&name](std::string_view step, const NetlinkResult& r) {
    if (!r.ok()) throw DeviceError(fmt::format("{}: {}: {}", name, step, r.message));
  };
  check("set MTU", nl->set_mtu(ifindex, config.mtu));
  if (config.tx_queue_len != 0)
    check(fmt::format("set txqueuelen {}", config.tx_queue_len), nl->set_tx_queue_len(ifindex, config.tx_queue_len));
  const std::pair<const std::optional<std::string>*, int> addresses[] = {{&config.ipv4, AF_INET},
                                                                         {&config.ipv6, AF_INET6}};
  for (const auto& [text, family] : addresses) {
    if (!*text) continue;
    const auto prefix = parse_prefix(**text, family);
    if (!prefix) throw DeviceError(fmt::format("{}: parse address: invalid prefix '{}'", name, **text));
    check(fmt::format("add address {}", **text), nl->add_address(ifindex, *prefix));
  }
  if (config.up) check("set up", nl->set_up(ifindex));
}

}  // namespace

std::string describe_tx_queue_len(std::uint32_t packets) {
  return packets == 0 ? std::string("the kernel's default") : std::to_string(packets);
}

std::unique_ptr<TunDevice> TunDevice::open(const TunConfig& config) {
  const std::string& wanted = config.name;
  if (wanted.size() >= IFNAMSIZ) fail(wanted, "device name", ENAMETOOLONG);
  if (config.queues == 0 || config.queues > kMaxQueues) fail(wanted, "queue count", EINVAL);

  UniqueFd first = open_clone_device(wanted);
  unsigned features = 0;
  if (::ioctl(first.get(), TUNGETFEATURES, &features) < 0) fail(wanted, "TUNGETFEATURES", errno);
  const bool vnet = config.vnet_hdr && (features & IFF_VNET_HDR);

  // Every queue must use identical flags: the multi-queue bit must match the device and later
  // attaches cannot change it (docs/offload.md §1).
  unsigned flags = IFF_TUN | IFF_NO_PI;
  if (vnet) flags |= IFF_VNET_HDR;
  if (config.queues > 1) flags |= IFF_MULTI_QUEUE;
  const std::string name = attach(first.get(), wanted, flags);

  if (vnet) {
    int size = static_cast<int>(vnet::kHeaderSize);
    if (::ioctl(first.get(), TUNSETVNETHDRSZ, &size) < 0) fail(name, "TUNSETVNETHDRSZ", errno);
  }
  // The mask is per device, so one fd negotiates for all queues.
  const Negotiation n = negotiate_offloads(vnet, config.want_uso, features, [&](unsigned mask) {
    return ::ioctl(first.get(), TUNSETOFFLOAD, static_cast<unsigned long>(mask)) < 0 ? errno : 0;
  });
  if (n.error != 0) fail(name, fmt::format("TUNSETOFFLOAD {:#x}", n.mask), n.error);

  std::vector<std::unique_ptr<TunQueue>> queues;
  queues.push_back(std::make_unique<TunQueue>(std::move(first), n.offloads));
  while (queues.size() < config.queues) {
    UniqueFd fd = open_clone_device(name);
    attach(fd.get(), name, flags);
    queues.push_back(std::make_unique<TunQueue>(std::move(fd), n.offloads));
  }

  apply_link_config(name, config);
  return std::unique_ptr<TunDevice>(new TunDevice(name, n.offloads, std::move(queues)));
}

std::unique_ptr<AsyncBatchDevice> TunDevice::make_async(const boost::asio::any_io_executor& executor,
                                                        std::size_t queue) {
  UniqueFd fd(::fcntl(queues_.at(queue)->fd(), F_DUPFD_CLOEXEC, 0));
  if (!fd.valid()) fail(name_, "dup queue fd", errno);
  return std::make_unique<AsyncTunDevice>(executor, std::move(fd), offloads_);
}

void TunDevice::interrupt() {
  for (auto& q : queues_) q->interrupt();
}

}  // namespace device

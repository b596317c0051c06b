#include "check/netns.h"

#include <fcntl.h>
#include <linux/if_ether.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>

namespace check {

void run_in_netns(const std::string& ns, const std::function<void()>& fn) {
  const std::string path = "/run/netns/" + ns;
  device::UniqueFd ns_fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!ns_fd.valid()) throw std::runtime_error(fmt::format("network namespace {}: {}", ns, std::strerror(errno)));
  std::exception_ptr error;
  // A thread of its own: setns() changes only the calling thread's network namespace, and this
  // one ends right after, so no other code ever runs inside `ns` by accident.
  std::thread worker([&] {
    try {
      if (::setns(ns_fd.get(), CLONE_NEWNET) != 0)
        throw std::runtime_error(fmt::format("setns {}: {}", ns, std::strerror(errno)));
      fn();
    } catch (...) {
      error = std::current_exception();
    }
  });
  worker.join();
  if (error) std::rethrow_exception(error);
}

device::UniqueFd socket_in(const std::string& ns, int domain, int type, int protocol) {
  device::UniqueFd fd;
  run_in_netns(ns, [&] {
    fd.reset(::socket(domain, type | SOCK_CLOEXEC, protocol));
    if (!fd.valid()) throw std::runtime_error(fmt::format("socket in {}: {}", ns, std::strerror(errno)));
  });
  return fd;
}

namespace {

// The answer to one SIOCGIF* `request` about `device` in `ns`; throws naming `what` was asked.
ifreq device_query(const std::string& ns, const std::string& device, unsigned long request, const char* what) {
  const auto fd = socket_in(ns, AF_INET, SOCK_DGRAM, 0);
  ifreq ifr{};
  if (device.size() >= sizeof ifr.ifr_name) throw std::invalid_argument("device name too long: " + device);
  std::memcpy(ifr.ifr_name, device.c_str(), device.size());
  if (::ioctl(fd.get(), request, &ifr) != 0)
    throw std::runtime_error(fmt::format("{} of {} in {}: {}", what, device, ns, std::strerror(errno)));
  return ifr;
}

}  // namespace

std::size_t device_mtu(const std::string& ns, const std::string& device) {
  return static_cast<std::size_t>(device_query(ns, device, SIOCGIFMTU, "MTU").ifr_mtu);
}

std::size_t link_header_size(const std::string& ns, const std::string& device) {
  return device_query(ns, device, SIOCGIFHWADDR, "link type").ifr_hwaddr.sa_family == ARPHRD_ETHER ? ETH_HLEN : 0;
}

}  // namespace check

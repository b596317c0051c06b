#include "device/netlink.h"

#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <system_error>

namespace device {

namespace {

// A request being built: header, fixed message, attributes, all in one aligned buffer.
class Request {
 public:
  Request(std::uint16_t type, std::uint16_t flags) {
    header()->nlmsg_len = NLMSG_LENGTH(0);
    header()->nlmsg_type = type;
    header()->nlmsg_flags = static_cast<std::uint16_t>(NLM_F_REQUEST | NLM_F_ACK | flags);
  }
  nlmsghdr* header() { return reinterpret_cast<nlmsghdr*>(buf_.data()); }

  template <typename T>
  T* append_body() {
    return static_cast<T*>(reserve(sizeof(T)));
  }
  void add_attr(std::uint16_t type, const void* data, std::size_t len) {
    auto* rta = static_cast<rtattr*>(reserve(RTA_LENGTH(len)));
    rta->rta_type = type;
    rta->rta_len = static_cast<std::uint16_t>(RTA_LENGTH(len));
    std::memcpy(RTA_DATA(rta), data, len);
  }
  void* data() { return buf_.data(); }
  std::size_t size() { return header()->nlmsg_len; }

 private:
  void* reserve(std::size_t len) {
    const std::size_t at = NLMSG_ALIGN(header()->nlmsg_len);
    const std::size_t end = at + RTA_ALIGN(len);
    if (end > buf_.size()) throw std::length_error("netlink request too long");
    header()->nlmsg_len = static_cast<std::uint32_t>(end);
    return buf_.data() + at;  // already zeroed
  }
  alignas(nlmsghdr) std::array<std::uint8_t, 256> buf_{};
};

NetlinkResult failure(int error, const std::string& extack = {}) {
  NetlinkResult r{error, std::strerror(error)};
  if (!extack.empty()) r.message += " (kernel: " + extack + ")";
  return r;
}

// The NLMSGERR_ATTR_MSG text of an error ack, if the kernel attached one.
std::string extack_message(const nlmsghdr* h, const nlmsgerr* err) {
  if (!(h->nlmsg_flags & NLM_F_ACK_TLVS)) return {};
  // Without NLM_F_CAPPED the original request follows the nlmsgerr; the TLVs come after it.
  std::size_t offset = NLMSG_HDRLEN + sizeof(nlmsgerr);
  if (!(h->nlmsg_flags & NLM_F_CAPPED)) offset += NLMSG_ALIGN(err->msg.nlmsg_len) - NLMSG_HDRLEN;
  const auto* base = reinterpret_cast<const std::uint8_t*>(h);
  // The RTA_* macros cast away const; the walk is spelled out instead.
  for (std::size_t pos = offset; pos + sizeof(rtattr) <= h->nlmsg_len;) {
    const auto* a = reinterpret_cast<const rtattr*>(base + pos);
    if (a->rta_len < sizeof(rtattr) || pos + a->rta_len > h->nlmsg_len) break;
    if (a->rta_type == NLMSGERR_ATTR_MSG) {
      const auto* text = reinterpret_cast<const char*>(base + pos + RTA_LENGTH(0));
      return std::string(text, strnlen(text, a->rta_len - RTA_LENGTH(0)));
    }
    pos += RTA_ALIGN(a->rta_len);
  }
  return {};
}

}  // namespace

Netlink::Netlink() : fd_(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE)) {
  if (!fd_.valid()) throw std::system_error(errno, std::generic_category(), "netlink socket");
  const int one = 1;
  // Best effort: older kernels lack extended acks, the errno alone is still reported.
  ::setsockopt(fd_.get(), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
  sockaddr_nl local{};
  local.nl_family = AF_NETLINK;
  if (::bind(fd_.get(), reinterpret_cast<sockaddr*>(&local), sizeof local) < 0) {
    throw std::system_error(errno, std::generic_category(), "netlink bind");
  }
}

NetlinkResult Netlink::transact(void* request, std::size_t length) {
  auto* req = static_cast<nlmsghdr*>(request);
  req->nlmsg_seq = ++seq_;
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (::sendto(fd_.get(), request, length, 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) < 0) {
    return failure(errno);
  }
  alignas(nlmsghdr) std::array<std::uint8_t, 8192> buf;
  for (;;) {
    const ssize_t n = ::recv(fd_.get(), buf.data(), buf.size(), 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return failure(errno);
    }
    // NLMSG_OK compares a signed length with the unsigned nlmsg_len; the walk is spelled out.
    const auto received = static_cast<std::size_t>(n);
    for (std::size_t pos = 0; pos + sizeof(nlmsghdr) <= received;) {
      auto* h = reinterpret_cast<nlmsghdr*>(buf.data() + pos);
      if (h->nlmsg_len < sizeof(nlmsghdr) || pos + h->nlmsg_len > received) break;
      pos += NLMSG_ALIGN(h->nlmsg_len);
      if (h->nlmsg_seq != req->nlmsg_seq || h->nlmsg_type != NLMSG_ERROR) continue;
      const auto* err = static_cast<const nlmsgerr*>(NLMSG_DATA(h));
      if (err->error == 0) return {};
      return failure(-err->error, extack_message(h, err));
    }
  }
}

NetlinkResult Netlink::set_link_u32(int ifindex, unsigned short attribute, std::uint32_t value) {
  Request req(RTM_NEWLINK, 0);
  auto* ifi = req.append_body<ifinfomsg>();
  ifi->ifi_family = AF_UNSPEC;
  ifi->ifi_index = ifindex;
  req.add_attr(attribute, &value, sizeof value);
  return transact(req.data(), req.size());
}

NetlinkResult Netlink::set_mtu(int ifindex, int mtu) {
  return set_link_u32(ifindex, IFLA_MTU, static_cast<std::uint32_t>(mtu));
}

NetlinkResult Netlink::set_tx_queue_len(int ifindex, std::uint32_t packets) {
  return set_link_u32(ifindex, IFLA_TXQLEN, packets);
}

NetlinkResult Netlink::set_up(int ifindex) {
  Request req(RTM_NEWLINK, 0);
  auto* ifi = req.append_body<ifinfomsg>();
  ifi->ifi_family = AF_UNSPEC;
  ifi->ifi_index = ifindex;
  ifi->ifi_flags = IFF_UP;
  ifi->ifi_change = IFF_UP;  // touch only this flag
  return transact(req.data(), req.size());
}

NetlinkResult Netlink::add_address(int ifindex, const IpPrefix& prefix) {
  Request req(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
  auto* ifa = req.append_body<ifaddrmsg>();
  ifa->ifa_family = static_cast<std::uint8_t>(prefix.family);
  ifa->ifa_prefixlen = static_cast<std::uint8_t>(prefix.prefix_len);
  ifa->ifa_index = static_cast<std::uint32_t>(ifindex);
  ifa->ifa_scope = RT_SCOPE_UNIVERSE;
  req.add_attr(IFA_LOCAL, prefix.addr.data(), prefix.addr_len());
  req.add_attr(IFA_ADDRESS, prefix.addr.data(), prefix.addr_len());
  if (prefix.family == AF_INET6) {
    // A point-to-point TUN has no neighbours to collide with; skipping DAD makes the address
    // usable at once instead of "tentative" for a second.
    const std::uint32_t flags = IFA_F_NODAD;
    req.add_attr(IFA_FLAGS, &flags, sizeof flags);
  }
  return transact(req.data(), req.size());
}

}  // namespace device

#include "check/capture.h"

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

#include "check/netns.h"
#include "harness/interrupt.h"

namespace check {
namespace {

// A capture keeps at most this many packet bytes; a check's transfers are a few MB.
constexpr std::size_t kMaxKeptBytes = std::size_t{512} << 20;
// Room for a whole super-packet behind its virtio-net header.
constexpr std::size_t kReadBuffer = vnet::kHeaderSize + 65536 + 256;

}  // namespace

TunCapture::TunCapture(const std::string& ns, std::string device)
    : device_(std::move(device)), link_header_(link_header_size(ns, device_)) {
  run_in_netns(ns, [&] {
    // Protocol 0 receives nothing until bind() names the device and ETH_P_ALL, so no packet of
    // another interface of the namespace slips in between. SOCK_RAW: the only type
    // PACKET_VNET_HDR is allowed on; a link header (the kernel oracle's veth) is cut off below.
    fd_.reset(::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0));
    if (!fd_.valid()) throw std::runtime_error(fmt::format("packet socket in {}: {}", ns, std::strerror(errno)));
    const int on = 1;
    if (::setsockopt(fd_.get(), SOL_PACKET, PACKET_VNET_HDR, &on, sizeof on) != 0)
      throw std::runtime_error(fmt::format("PACKET_VNET_HDR: {}", std::strerror(errno)));
    const int buffer = 64 << 20;
    ::setsockopt(fd_.get(), SOL_SOCKET, SO_RCVBUFFORCE, &buffer, sizeof buffer);
    const unsigned index = ::if_nametoindex(device_.c_str());
    if (index == 0) throw std::runtime_error(fmt::format("{} in {}: {}", device_, ns, std::strerror(errno)));
    sockaddr_ll addr{};
    addr.sll_family = AF_PACKET;
    addr.sll_protocol = htons(ETH_P_ALL);
    addr.sll_ifindex = static_cast<int>(index);
    if (::bind(fd_.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0)
      throw std::runtime_error(fmt::format("bind to {} in {}: {}", device_, ns, std::strerror(errno)));
  });
  reader_ = std::thread([this] { read_loop(); });
}

TunCapture::~TunCapture() {
  stop_ = true;
  if (reader_.joinable()) reader_.join();
}

bool TunCapture::drain() {
  std::vector<std::uint8_t> buffer(kReadBuffer);
  for (;;) {
    sockaddr_ll from{};
    iovec iov{buffer.data(), buffer.size()};
    msghdr msg{};
    msg.msg_name = &from;
    msg.msg_namelen = sizeof from;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    const ssize_t n = ::recvmsg(fd_.get(), &msg, MSG_DONTWAIT | MSG_TRUNC);
    if (n < 0) return errno == EAGAIN || errno == EINTR;
    const auto got = static_cast<std::size_t>(n);
    // Shorter cannot happen with PACKET_VNET_HDR (and a device's own link header); nothing to judge.
    if (got < vnet::kHeaderSize + link_header_) continue;
    CapturedPacket p;
    p.device = device_;
    p.written = from.sll_pkttype != PACKET_OUTGOING;
    p.vnet = vnet::decode(std::span<const std::uint8_t, vnet::kHeaderSize>(buffer.data(), vnet::kHeaderSize));
    // The header counts from the frame's start; the packet kept starts at the IP header.
    if (p.vnet.needs_csum()) p.vnet.csum_start = static_cast<std::uint16_t>(p.vnet.csum_start - link_header_);
    if (p.vnet.hdr_len > link_header_) p.vnet.hdr_len = static_cast<std::uint16_t>(p.vnet.hdr_len - link_header_);
    p.truncated = got > buffer.size();
    const std::size_t kept = std::min(got, buffer.size());
    p.bytes.assign(buffer.begin() + static_cast<std::ptrdiff_t>(vnet::kHeaderSize + link_header_),
                   buffer.begin() + static_cast<std::ptrdiff_t>(kept));
    std::lock_guard lock(mutex_);
    if (kept_bytes_ + p.bytes.size() > kMaxKeptBytes) {
      result_.overflow = true;
      continue;
    }
    kept_bytes_ += p.bytes.size();
    result_.packets.push_back(std::move(p));
  }
}

void TunCapture::read_loop() {
  for (;;) {
    // Read the flag before draining: after a stop request, one whole drain still runs.
    const bool stopping = stop_;
    if (!drain() || stopping) return;
    pollfd pfd{fd_.get(), POLLIN, 0};
    ::poll(&pfd, 1, 50);
  }
}

bool TunCapture::wait_for(const std::function<bool(const std::vector<CapturedPacket>&)>& done,
                          std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (done(result_.packets)) return true;
    }
    harness::throw_if_interrupted();
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

CaptureResult TunCapture::finish() {
  stop_ = true;
  if (reader_.joinable()) reader_.join();
  tpacket_stats stats{};
  socklen_t len = sizeof stats;
  if (::getsockopt(fd_.get(), SOL_PACKET, PACKET_STATISTICS, &stats, &len) == 0) result_.dropped = stats.tp_drops;
  std::lock_guard lock(mutex_);
  return std::move(result_);
}

}  // namespace check

#include "tunfwd/devices.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace tunfwd {

std::optional<std::string> with_prefix(const std::string& address, int prefix) {
  if (address.empty()) return std::nullopt;
  if (address.find('/') != std::string::npos) return address;
  return fmt::format("{}/{}", address, prefix);
}

Devices::Devices(const forward::Mode& mode, const DeviceArgs& args) : mode_(mode) {
  for (std::size_t i = 0; i < 2; ++i) {
    device::TunConfig c;
    c.name = args.names[i];
    c.vnet_hdr = mode.offload;
    c.queues = forward::queues_for(mode, args.queues_flag);
    c.mtu = args.mtu;
    c.tx_queue_len = args.tx_queue_len;
    c.ipv4 = with_prefix(args.ipv4[i], 24);
    c.ipv6 = with_prefix(args.ipv6[i], 64);
    tuns_[i] = device::TunDevice::open(c);
  }
}

forward::Setup Devices::setup(std::array<boost::asio::io_context, 2>& loops, const forward::Options& options) {
  forward::Setup setup;
  setup.io = &loops[0];
  if (options.threads > 1) setup.second_io = &loops[1];
  setup.options = options;
  // Direction d reads device d and writes device 1 - d: device d's read views and device
  // (1 - d)'s write views complete on direction d's loop.
  const std::array<boost::asio::any_io_executor, 2> executors{setup.loop(0).get_executor(),
                                                              setup.loop(1).get_executor()};
  // Asked here, after --user took effect: whether io_uring is allowed can depend on who asks.
  if (mode_.uring) uring_fallback_ = device::UringQueue::unavailable();
  const bool uring = mode_.uring && uring_fallback_.empty();
  for (std::size_t i = 0; i < 2; ++i) {
    forward::Endpoint& ep = i == 0 ? setup.first : setup.second;
    device::TunDevice& tun = *tuns_[i];
    ep.name = tun.name();
    ep.offloads = tun.offloads();
    for (std::size_t q = 0; q < tun.queue_count(); ++q) {
      ep.packet.push_back(&tun.queue(q));
      if (uring) {
        // Its own descriptor of the queue's open file (whose flags, blocking, it shares).
        device::UniqueFd fd(::dup(tun.queue(q).fd()));
        if (fd.get() < 0)
          throw device::DeviceError(fmt::format("{}: dup of queue {}: {}", ep.name, q, std::strerror(errno)));
        uring_.push_back(std::make_unique<device::UringQueue>(std::move(fd), ep.offloads));
        ep.batch.push_back(uring_.back().get());
      } else {
        ep.batch.push_back(&tun.queue(q));
      }
      if (!mode_.async) continue;
      async_.push_back(tun.make_async(executors[i], q));
      ep.async_read.push_back(async_.back().get());
      if (options.threads > 1) async_.push_back(tun.make_async(executors[1 - i], q));
      ep.async_write.push_back(async_.back().get());
    }
  }
  return setup;
}

}  // namespace tunfwd

#pragma once
// The two TUN devices of a tunfwd run, opened for a mode, and the views of them a forwarder is
// built from (forward::Setup).
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "device/async_batch_device.h"
#include "device/tun_device.h"
#include "device/uring_queue.h"
#include "forward/endpoint.h"
#include "forward/registry.h"

namespace tunfwd {

struct DeviceArgs {
  std::array<std::string, 2> names{"tun11", "tun22"};
  std::array<std::string, 2> ipv4{"10.0.1.1", "10.0.2.1"};  // "" = none; /24 when no prefix
  std::array<std::string, 2> ipv6{};                        // "" = none; /64 when no prefix
  std::size_t queues_flag = 0;                              // --queues (0 = not given)
  int mtu = 1500;
  // --txqueuelen: packets each device queues for us before the kernel drops; 0 keeps the
  // kernel's 500. Longer queues trade drops for queueing delay (README, "Transmit queue").
  std::uint32_t tx_queue_len = 0;
};

class Devices {
 public:
  // Opens both devices as `mode` needs them (vnet header and offloads, queues); throws
  // device::DeviceError naming the device and the step.
  Devices(const forward::Mode& mode, const DeviceArgs& args);

  const device::TunDevice& tun(std::size_t i) const { return *tuns_.at(i); }
  // The forwarder's view: every queue as PacketDevice and BatchDevice; for an async mode also
  // async views completing on their direction's loop: `loops[0]` for both directions, or
  // `loops[1]` for the second when options.threads > 1 (Setup::loop).
  forward::Setup setup(std::array<boost::asio::io_context, 2>& loops, const forward::Options& options);
  // After setup(): why a mode that reads and writes through io_uring uses FdQueue instead (a
  // system call per packet), or empty.
  const std::string& uring_fallback() const { return uring_fallback_; }

 private:
  const forward::Mode& mode_;
  std::array<std::unique_ptr<device::TunDevice>, 2> tuns_;
  std::vector<std::unique_ptr<device::AsyncBatchDevice>> async_;
  std::vector<std::unique_ptr<device::UringQueue>> uring_;  // uring modes: the batch views
  std::string uring_fallback_;
};

// An address without a prefix means /24 (IPv4) or /64 (IPv6); "" means none.
std::optional<std::string> with_prefix(const std::string& address, int prefix);

}  // namespace tunfwd

#pragma once
// A Linux TUN device opened through /dev/net/tun: flags, offload negotiation (docs/offload.md §1),
// multi-queue, MTU, transmit queue, addresses and link state. Everything after open() is plain fd
// I/O through TunQueue (an FdQueue) or AsyncTunDevice.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "device/async_batch_device.h"
#include "device/fd_queue.h"
#include "device/offloads.h"

namespace device {

struct TunConfig {
  std::string name{};      // e.g. "tun11"; a pattern like "tun%d" is resolved by the kernel
  bool vnet_hdr = false;   // IFF_VNET_HDR + TUNSETOFFLOAD negotiation
  bool want_uso = true;    // try USO4|USO6 as well (Linux >= 6.2)
  std::size_t queues = 1;  // > 1: IFF_MULTI_QUEUE with this many fds
  int mtu = 1500;
  // Packets the kernel queues for the reader before it drops (txqueuelen); 0 keeps the kernel's
  // default, 500 for a TUN.
  std::uint32_t tx_queue_len = 0;
  std::optional<std::string> ipv4{};  // "10.0.1.1/24" ({} keeps designated initializers warning-free)
  std::optional<std::string> ipv6{};  // "fd00:1::1/64"
  bool up = true;
};

// "4096", or "the kernel's default" for 0: what a start-up line says of TunConfig::tx_queue_len.
std::string describe_tx_queue_len(std::uint32_t packets);

// The message names the device, the step and strerror: "tun11: TUNSETIFF: Operation not permitted".
class DeviceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One fd of a TUN device (one queue of a multi-queue device).
class TunQueue : public FdQueue {
 public:
  TunQueue(UniqueFd fd, Offloads offloads) : FdQueue(std::move(fd), offloads) {}
};

class TunDevice {
 public:
  // Creates (or attaches to) the device and applies the whole config; throws DeviceError.
  static std::unique_ptr<TunDevice> open(const TunConfig& config);

  const std::string& name() const { return name_; }
  Offloads offloads() const { return offloads_; }
  std::size_t queue_count() const { return queues_.size(); }
  TunQueue& queue(std::size_t i) { return *queues_.at(i); }
  // An asynchronous view of queue `queue` over a dup of its fd, completing on `executor` (an
  // io_context's, or a strand of it); must not outlive that io_context. Several views of one
  // queue may exist (one per direction that uses it).
  std::unique_ptr<AsyncBatchDevice> make_async(const boost::asio::any_io_executor& executor, std::size_t queue = 0);
  // Wakes every blocked read on every queue; they (and later calls) return ECANCELED.
  void interrupt();

 private:
  TunDevice(std::string name, Offloads offloads, std::vector<std::unique_ptr<TunQueue>> queues)
      : name_(std::move(name)), offloads_(offloads), queues_(std::move(queues)) {}

  std::string name_;
  Offloads offloads_;
  std::vector<std::unique_ptr<TunQueue>> queues_;
};

}  // namespace device

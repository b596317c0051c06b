#pragma once
// AsyncBatchDevice over a packet-preserving fd (a TUN queue, or a SOCK_SEQPACKET socket in
// tests) with a Boost.Asio posix::stream_descriptor: the reactor only says "readable" or
// "writable"; the reads and writes themselves are plain non-blocking readv/writev, one packet
// each, with the virtio_net_hdr in front when offloads.vnet_hdr.
//
// Handlers always run on the io_context, never inside the initiating call. The device must
// outlive its pending operations, except that destroying it cancels them (their handlers then
// get ECANCELED without touching the destroyed object).
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include "device/async_batch_device.h"
#include "device/unique_fd.h"

namespace device {

class AsyncTunDevice : public AsyncBatchDevice {
 public:
  // Takes ownership of `fd` (make it a dup when the fd is shared with a TunQueue). Handlers
  // run on `executor` (an io_context's executor or a strand of it).
  AsyncTunDevice(const boost::asio::any_io_executor& executor, UniqueFd fd, Offloads offloads);

  boost::asio::any_io_executor executor() override { return descriptor_.get_executor(); }
  void async_recv_batch(std::span<Packet> packets, Handler handler) override;
  void async_send_batch(std::span<const OutPacket> packets, Handler handler) override;
  Offloads offloads() const override { return offloads_; }
  void cancel() override;

 private:
  void send_from(std::span<const OutPacket> packets, std::size_t done, Handler handler);

  boost::asio::posix::stream_descriptor descriptor_;
  Offloads offloads_;
};

}  // namespace device

#pragma once
// The asynchronous counterpart of BatchDevice, on Boost.Asio: completion handlers run on the
// device's executor. The async modes of tunfwd depend only on this interface.
#include <functional>
#include <span>

#include <boost/asio/any_io_executor.hpp>

#include "device/batch_device.h"

namespace device {

class AsyncBatchDevice {
 public:
  using Handler = std::function<void(IoResult)>;
  virtual ~AsyncBatchDevice() = default;
  virtual boost::asio::any_io_executor executor() = 0;
  // Completes when at least one packet was read (and as many more as were ready, up to
  // packets.size()); IoResult as in BatchDevice::recv_batch. `packets` must outlive the call.
  virtual void async_recv_batch(std::span<Packet> packets, Handler handler) = 0;
  // Completes when every packet was written or one was refused; IoResult as in send_batch.
  virtual void async_send_batch(std::span<const OutPacket> packets, Handler handler) = 0;
  virtual Offloads offloads() const = 0;
  // Cancels pending operations (their handlers get ECANCELED).
  virtual void cancel() = 0;
};

}  // namespace device

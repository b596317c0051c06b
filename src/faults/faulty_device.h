#pragma once
// Decorators around a real device that refuse some writes as the Injector decides, and pass
// everything else through unchanged. A refused write writes nothing, exactly like a kernel that
// returns the errno. TEST-ONLY (see fault_plan.h): production tunfwd never links this.
#include <boost/asio/any_io_executor.hpp>

#include "device/async_batch_device.h"
#include "device/batch_device.h"
#include "device/packet_device.h"
#include "faults/fault_plan.h"

namespace faults {

// The blocking interfaces of one queue (FdQueue implements both).
class FaultyQueue final : public device::PacketDevice, public device::BatchDevice {
 public:
  FaultyQueue(device::PacketDevice& packet, device::BatchDevice& batch, Injector& injector)
      : packet_(packet), batch_(batch), injector_(injector) {}

  device::IoResult read(std::span<std::uint8_t> buffer) override { return packet_.read(buffer); }
  device::IoResult write(std::span<const std::uint8_t> packet) override;
  device::IoResult recv_batch(std::span<device::Packet> packets) override { return batch_.recv_batch(packets); }
  // Packet by packet (a TUN writes one packet per syscall anyway), so a refusal lands on the
  // exact write the injector chose and everything before it is written.
  device::IoResult send_batch(std::span<const device::OutPacket> packets) override;
  device::Offloads offloads() const override { return batch_.offloads(); }
  void interrupt() override;

 private:
  device::PacketDevice& packet_;
  device::BatchDevice& batch_;
  Injector& injector_;
};

class FaultyAsyncDevice final : public device::AsyncBatchDevice {
 public:
  FaultyAsyncDevice(device::AsyncBatchDevice& inner, Injector& injector) : inner_(inner), injector_(injector) {}

  boost::asio::any_io_executor executor() override { return inner_.executor(); }
  void async_recv_batch(std::span<device::Packet> packets, Handler handler) override {
    inner_.async_recv_batch(packets, std::move(handler));
  }
  void async_send_batch(std::span<const device::OutPacket> packets, Handler handler) override;
  device::Offloads offloads() const override { return inner_.offloads(); }
  void cancel() override { inner_.cancel(); }

 private:
  void send_from(std::span<const device::OutPacket> packets, std::size_t done, Handler handler);

  device::AsyncBatchDevice& inner_;
  Injector& injector_;
};

}  // namespace faults

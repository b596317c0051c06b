#pragma once
// GMock doubles of the device interfaces (device/packet_device.h, batch_device.h,
// async_batch_device.h), so forwarders and decorators are tested without a TUN. Async tests
// usually capture the Handler in an action and invoke (or post) it themselves.
#include <gmock/gmock.h>

#include "device/async_batch_device.h"
#include "device/batch_device.h"
#include "device/packet_device.h"

namespace tbtest {

class MockPacketDevice : public device::PacketDevice {
 public:
  MOCK_METHOD(device::IoResult, read, (std::span<std::uint8_t> buffer), (override));
  MOCK_METHOD(device::IoResult, write, (std::span<const std::uint8_t> packet), (override));
  MOCK_METHOD(void, interrupt, (), (override));
};

class MockBatchDevice : public device::BatchDevice {
 public:
  MOCK_METHOD(device::IoResult, recv_batch, (std::span<device::Packet> packets), (override));
  MOCK_METHOD(device::IoResult, send_batch, (std::span<const device::OutPacket> packets), (override));
  MOCK_METHOD(device::Offloads, offloads, (), (const, override));
  MOCK_METHOD(void, interrupt, (), (override));
};

class MockAsyncBatchDevice : public device::AsyncBatchDevice {
 public:
  MOCK_METHOD(boost::asio::any_io_executor, executor, (), (override));
  MOCK_METHOD(void, async_recv_batch, (std::span<device::Packet> packets, Handler handler), (override));
  MOCK_METHOD(void, async_send_batch, (std::span<const device::OutPacket> packets, Handler handler), (override));
  MOCK_METHOD(device::Offloads, offloads, (), (const, override));
  MOCK_METHOD(void, cancel, (), (override));
};

}  // namespace tbtest

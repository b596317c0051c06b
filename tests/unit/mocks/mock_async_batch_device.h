#pragma once
// GMock double of device::AsyncBatchDevice, so async forwarders are tested without a TUN.
// Tests usually capture the Handler in an action and invoke it (or post it) themselves.
#include <gmock/gmock.h>

#include "device/async_batch_device.h"

namespace device::testing {

class MockAsyncBatchDevice : public AsyncBatchDevice {
 public:
  MOCK_METHOD(boost::asio::any_io_executor, executor, (), (override));
  MOCK_METHOD(void, async_recv_batch, (std::span<Packet> packets, Handler handler), (override));
  MOCK_METHOD(void, async_send_batch, (std::span<const OutPacket> packets, Handler handler),
              (override));
  MOCK_METHOD(Offloads, offloads, (), (const, override));
  MOCK_METHOD(void, cancel, (), (override));
};

}  // namespace device::testing

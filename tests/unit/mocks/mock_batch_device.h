#pragma once
// GMock double of device::BatchDevice, so batch forwarders are tested without a TUN.
#include <gmock/gmock.h>

#include "device/batch_device.h"

namespace device::testing {

class MockBatchDevice : public BatchDevice {
 public:
  MOCK_METHOD(IoResult, recv_batch, (std::span<Packet> packets), (override));
  MOCK_METHOD(IoResult, send_batch, (std::span<const OutPacket> packets), (override));
  MOCK_METHOD(Offloads, offloads, (), (const, override));
  MOCK_METHOD(void, interrupt, (), (override));
};

}  // namespace device::testing

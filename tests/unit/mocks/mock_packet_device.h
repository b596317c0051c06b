#pragma once
// GMock double of device::PacketDevice, so forwarders are tested without a TUN.
#include <gmock/gmock.h>

#include "device/packet_device.h"

namespace device::testing {

class MockPacketDevice : public PacketDevice {
 public:
  MOCK_METHOD(IoResult, read, (std::span<std::uint8_t> buffer), (override));
  MOCK_METHOD(IoResult, write, (std::span<const std::uint8_t> packet), (override));
  MOCK_METHOD(void, interrupt, (), (override));
};

}  // namespace device::testing

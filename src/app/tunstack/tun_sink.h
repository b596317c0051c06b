#pragma once
// The stack's packets to the client, written to the TUN (one writev per packet, its virtio-net
// header in front). The buffer is reused: the stack builds each packet in place.
#include <cstdint>
#include <memory>
#include <span>

#include "device/packet_io.h"
#include "stack/packet_sink.h"

namespace tunstack {

class TunSink final : public stack::PacketSink {
 public:
  explicit TunSink(int fd) : fd_(fd), buffer_(std::make_unique_for_overwrite<std::uint8_t[]>(kSize)) {}
  std::span<std::uint8_t> buffer() override { return {buffer_.get(), kSize}; }
  bool send(std::size_t length, const vnet::VnetHeader& header) override {
    return device::write_packet(fd_, true, {buffer_.get(), length}, header) >= 0;
  }

 private:
  static constexpr std::size_t kSize = 65536;
  int fd_;
  std::unique_ptr<std::uint8_t[]> buffer_;
};

}  // namespace tunstack

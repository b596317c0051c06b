#pragma once
// What a forwarder is built from: the two devices, each seen through the interfaces the
// forwarders use (one entry per queue), plus run options. The app fills it from TunDevice,
// the unit tests from fakes and mocks; forwarders never know which.
#include <cstddef>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "device/async_batch_device.h"
#include "device/batch_device.h"
#include "device/offloads.h"
#include "device/packet_device.h"

namespace forward {

struct Endpoint {
  std::string name;
  device::Offloads offloads;
  std::vector<device::PacketDevice*> packet;      // per queue (sync modes)
  std::vector<device::BatchDevice*> batch;        // per queue (sync modes)
  std::vector<device::AsyncBatchDevice*> async;   // per queue (async modes)
};

struct Options {
  std::size_t mtu = 1500;
  std::size_t threads = 1;  // async modes: threads running the io_context
};

struct Setup {
  Endpoint first;
  Endpoint second;
  boost::asio::io_context* io = nullptr;  // async modes
  Options options;
};

// Sizes shared by the forwarders.
inline constexpr std::size_t kMaxPacket = 65535;         // one TUN read (a super-packet at most)
inline constexpr std::size_t kRecvBatch = 16;            // packets per device read call
inline constexpr std::size_t kMaxSegments = 1024;        // segments per read batch after split
inline constexpr std::size_t kWriteBatch = 256;          // packets a channel writer takes at once
// A buffer for one MTU-sized packet: generous so a segment from a slightly larger MTU fits.
inline std::size_t segment_size(const Options& o) { return (o.mtu < 1280 ? 1280 : o.mtu) + 256; }

}  // namespace forward

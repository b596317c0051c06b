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
  std::vector<device::PacketDevice*> packet;  // per queue (sync modes)
  std::vector<device::BatchDevice*> batch;    // per queue (sync modes)
  // Async modes, per queue: the view the direction reading this device reads through, and the
  // view the other direction writes through. Each completes on the event loop of the direction
  // that uses it (Setup::loop); with one loop both may be the same object.
  std::vector<device::AsyncBatchDevice*> async_read;
  std::vector<device::AsyncBatchDevice*> async_write;
};

struct Options {
  std::size_t mtu = 1500;
  // Async modes: event-loop threads (tunfwd --threads); 2 gives each direction its own loop.
  std::size_t threads = 1;
};

// Direction 0 reads `first` and writes `second`, direction 1 the mirror way.
struct Setup {
  Endpoint first;
  Endpoint second;
  // Async modes: the event loop (direction 0's), and direction 1's own loop on a thread of its
  // own when there are two (--threads 2). Two loops rather than one loop on two threads: the
  // directions share nothing, and one io_context run by two threads hands every completion
  // between them through its scheduler's lock (README, "Threads").
  boost::asio::io_context* io = nullptr;
  boost::asio::io_context* second_io = nullptr;
  Options options;

  boost::asio::io_context& loop(std::size_t direction) const { return direction == 1 && second_io ? *second_io : *io; }

  const Endpoint& in(std::size_t direction) const { return direction == 0 ? first : second; }
  const Endpoint& out(std::size_t direction) const { return direction == 0 ? second : first; }
  bool has_async_devices() const {
    return !first.async_read.empty() && !first.async_write.empty() && !second.async_read.empty() &&
           !second.async_write.empty();
  }
};

// Sizes shared by the forwarders.
inline constexpr std::size_t kMaxPacket = 65535;   // one TUN read (a super-packet at most)
inline constexpr std::size_t kRecvBatch = 16;      // packets per device read call
inline constexpr std::size_t kMaxSegments = 1024;  // segments per read batch after split
inline constexpr std::size_t kWriteBatch = 256;    // packets a channel writer takes at once
// A buffer for one MTU-sized packet: generous so a segment from a slightly larger MTU fits.
inline std::size_t segment_size(const Options& o) { return (o.mtu < 1280 ? 1280 : o.mtu) + 256; }

}  // namespace forward

#include "replay_row.h"

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "alloc_counter.h"
#include "device_scope.h"
#include "measurement.h"

namespace replay {

namespace {

// Offloads a TUN grants with IFF_VNET_HDR and TSO/USO, or none (as tunfwd negotiates per mode).
device::Offloads offloads_for(const forward::Mode& mode) {
  if (!mode.offload) return {};
  return {true, true, true, true, true};
}

// A row that has not finished after this long is stuck (a mode that dropped what it was given):
// it is stopped and reported failed instead of hanging the gate. Generous: valgrind is slow.
constexpr auto kHangGuard = std::chrono::minutes(5);
// Entries of a mode's channel (registry.h: "a 2048-entry channel").
constexpr std::uint64_t kChannelFrames = 2048;

}  // namespace

RowResult run_row(const forward::Mode& mode, const Workload& workload, bool measured) {
  RowResult res;
  res.mode = std::string(mode.name);
  res.workload = workload.name;
  const std::vector<Read>& reads = workload.reads(mode.offload);
  for (const Read& r : reads) {
    res.segments += segments_of(r.header, r.bytes);
    res.payload_bytes += payload_of(r.bytes);
  }
  res.segments *= workload.repeat;
  res.payload_bytes *= workload.repeat;

  boost::asio::io_context io;
  ReplayRow row;
  row.expected_segments = res.segments;
  // The blocking channel modes: reader first, then writer (replay_device.h, "Held writes").
  row.hold_writes = mode.channel && !mode.async;
  if (row.hold_writes && res.segments > kChannelFrames) {
    res.ok = false;
    res.error = "more segments than the channel holds: lower --segments";
    return res;
  }
  const std::size_t queues = forward::queues_for(mode, 0);
  std::vector<std::unique_ptr<ReplayQueue>> devices[2];
  forward::Setup setup;
  setup.io = &io;
  setup.first.name = "tun11";
  setup.second.name = "tun22";
  for (std::size_t d = 0; d < 2; ++d) {
    forward::Endpoint& ep = d == 0 ? setup.first : setup.second;
    ep.offloads = offloads_for(mode);
    for (std::size_t q = 0; q < queues; ++q) {
      devices[d].push_back(std::make_unique<ReplayQueue>(row, ep.offloads, io));
      ReplayQueue* dev = devices[d].back().get();
      ep.packet.push_back(dev);
      ep.batch.push_back(dev);
      ep.async_read.push_back(dev);
      ep.async_write.push_back(dev);
    }
  }
  // The kernel keeps a flow on one queue: the whole workload arrives on queue 0.
  devices[workload.direction][0]->load(reads, workload.repeat, workload.batch);

  std::unique_ptr<forward::Forwarder> fwd = mode.make(setup, mode);
  row.on_done = [f = fwd.get()] { f->stop(); };

  std::mutex guard_mu;
  std::condition_variable guard_cv;
  bool finished = false;
  bool timed_out = false;
  bool guard_ready = false;
  std::thread guard([&] {
    DeviceScope not_measured;  // the guard is the driver's, not the forwarder's
    std::unique_lock lock(guard_mu);
    guard_ready = true;
    guard_cv.notify_all();
    if (!guard_cv.wait_for(lock, kHangGuard, [&] { return finished; })) {
      timed_out = true;
      fwd->stop();
    }
  });

  {
    // Started and asleep before the measured region, so none of its start-up is counted.
    std::unique_lock lock(guard_mu);
    guard_cv.wait(lock, [&] { return guard_ready; });
  }
  const std::string label = res.mode + "/" + res.workload;
  start_counting_allocations();
  if (measured) begin_measurement();
  const forward::Status status = fwd->run();
  if (measured) end_measurement(label);
  res.allocations = stop_counting_allocations();
  {
    std::lock_guard lock(guard_mu);
    finished = true;
  }
  guard_cv.notify_all();
  guard.join();

  for (const auto& dev : devices[workload.direction]) res.in += dev->counts();
  for (const auto& dev : devices[1 - workload.direction]) res.out += dev->counts();
  if (!status.ok) {
    res.ok = false;
    res.error = status.error;
  } else if (timed_out) {
    res.ok = false;
    res.error = "stopped by the hang guard";
  } else if (res.out.segments_out != res.segments) {
    res.ok = false;
    res.error = "wrote " + std::to_string(res.out.segments_out) + " of " + std::to_string(res.segments) + " segments";
  }
  return res;
}

}  // namespace replay

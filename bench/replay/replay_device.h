#pragma once
// The in-memory devices tunreplay runs a mode over: each queue is a PacketDevice, a BatchDevice
// and an AsyncBatchDevice at once (as tests/support/fake_tun.h's FakeQueue), but built to be
// measured rather than inspected: reads come from a pre-filled script (replayed a fixed number of
// times, at most `batch` packets per read), writes are counted and dropped, and once the traffic
// direction has written every segment it was given the row calls its `on_done` (which stops the
// forwarder). Every method runs inside a DeviceScope, so none of it is counted.
//
// Held writes (ReplayRow::hold_writes, set for the blocking channel modes, sync-*-channel): a
// blocking write waits until the reader has taken every read of the row. The reader thread then
// fills the channel without ever finding the writer waiting, and the writer empties it without
// ever waiting for the reader; otherwise how often each thread spun in the channel's atomic wait,
// how many frames each write took and in which order frames were freed depended on how the
// threads happened to be scheduled, and those rows moved by up to 11 % from run to run
// (docs/det-gate.md). A row must then fit in the channel (2048 frames): replay_row checks it.
// The first hand-over is pinned down too: the reader's first read waits 50 ms (real time, not
// counted) so the writer has spun out and sleeps in the channel's wait, and its second read waits
// until the writer sits in a held write, having popped exactly the first batch.
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <span>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "device/async_batch_device.h"
#include "device/batch_device.h"
#include "device/packet_device.h"
#include "row_result.h"
#include "workload.h"

namespace replay {

// What every queue of one row shares: one lock, the goal and the stop hook.
struct ReplayRow {
  std::mutex mu;
  std::condition_variable cv;
  std::uint64_t expected_segments = 0;
  std::uint64_t written_segments = 0;
  std::uint64_t delivered_segments = 0;  // segments the traffic direction has read so far
  bool hold_writes = false;
  bool writer_held = false;  // a write is waiting for the reader (hold_writes)
  bool done = false;
  std::function<void()> on_done;
};

class ReplayQueue final : public device::PacketDevice, public device::BatchDevice, public device::AsyncBatchDevice {
 public:
  ReplayQueue(ReplayRow& row, device::Offloads offloads, boost::asio::io_context& io);

  // Reads the queue will deliver: `reads` replayed `repeat` times, at most `batch` per call.
  void load(std::span<const Read> reads, std::size_t repeat, std::size_t batch);
  DeviceCounts counts() const;

  device::IoResult read(std::span<std::uint8_t> buffer) override;
  device::IoResult write(std::span<const std::uint8_t> packet) override;
  void interrupt() override;

  device::IoResult recv_batch(std::span<device::Packet> packets) override;
  device::IoResult send_batch(std::span<const device::OutPacket> packets) override;
  device::Offloads offloads() const override { return offloads_; }

  boost::asio::any_io_executor executor() override { return io_.get_executor(); }
  void async_recv_batch(std::span<device::Packet> packets, Handler handler) override;
  void async_send_batch(std::span<const device::OutPacket> packets, Handler handler) override;
  void cancel() override;

 private:
  struct Pending {
    std::span<device::Packet> packets;
    Handler handler;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work;
  };

  bool has_next() const { return pass_ < repeat_; }
  // Blocks while writes are held (row_.mu held by `lock`): see "Held writes" above. False when
  // the device was interrupted meanwhile.
  bool wait_for_reader(std::unique_lock<std::mutex>& lock);
  // A blocking read's part of the same hand-over (row_.mu held by `lock`).
  void pace_reader(std::unique_lock<std::mutex>& lock);
  // Paces, finishes an empty row, then waits for a read to hand out; false when interrupted.
  bool wait_for_next(std::unique_lock<std::mutex>& lock);
  const Read& take();
  device::IoResult fill(std::span<device::Packet> packets);  // row_.mu held, has_next()
  // Counts what was written (row_.mu held); true when the row just reached its goal.
  bool note_written(std::uint64_t segments);
  void complete(Handler handler, device::IoResult result);
  void finish_if(bool reached);  // calls on_done without the lock

  ReplayRow& row_;
  device::Offloads offloads_;
  boost::asio::io_context& io_;
  std::span<const Read> reads_;
  std::size_t repeat_ = 0;
  std::size_t batch_ = 1;
  std::size_t pass_ = 0;
  std::size_t next_ = 0;
  bool interrupted_ = false;
  std::optional<Pending> pending_;
  DeviceCounts counts_;
};

}  // namespace replay

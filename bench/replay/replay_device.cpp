#include "replay_device.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include <boost/asio/post.hpp>

#include "device_scope.h"

namespace replay {

ReplayQueue::ReplayQueue(ReplayRow& row, device::Offloads offloads, boost::asio::io_context& io)
    : row_(row), offloads_(offloads), io_(io) {}

void ReplayQueue::load(std::span<const Read> reads, std::size_t repeat, std::size_t batch) {
  std::lock_guard lock(row_.mu);
  reads_ = reads;
  repeat_ = reads.empty() ? 0 : repeat;
  batch_ = std::max<std::size_t>(1, batch);
  pass_ = 0;
  next_ = 0;
}

DeviceCounts ReplayQueue::counts() const {
  std::lock_guard lock(row_.mu);
  return counts_;
}

void ReplayQueue::pace_reader(std::unique_lock<std::mutex>& lock) {
  if (!row_.hold_writes || !has_next()) return;
  if (row_.delivered_segments == 0) {
    lock.unlock();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    lock.lock();
    return;
  }
  row_.cv.wait(lock, [&] { return interrupted_ || row_.writer_held; });
}

bool ReplayQueue::wait_for_reader(std::unique_lock<std::mutex>& lock) {
  if (!row_.hold_writes) return true;
  row_.writer_held = true;
  row_.cv.notify_all();
  row_.cv.wait(lock, [&] { return interrupted_ || row_.delivered_segments >= row_.expected_segments; });
  return !interrupted_;
}

const Read& ReplayQueue::take() {
  const Read& r = reads_[next_];
  row_.delivered_segments += segments_of(r.header, r.bytes);
  if (row_.delivered_segments >= row_.expected_segments) row_.cv.notify_all();  // held writes may go on
  if (++next_ == reads_.size()) {
    next_ = 0;
    ++pass_;
  }
  return r;
}

device::IoResult ReplayQueue::fill(std::span<device::Packet> packets) {
  const std::size_t limit = std::min(packets.size(), batch_);
  std::size_t n = 0;
  while (n < limit && has_next()) {
    const Read& r = take();
    const std::size_t len = std::min(packets[n].buffer.size(), r.bytes.size());
    std::memcpy(packets[n].buffer.data(), r.bytes.data(), len);
    packets[n].length = len;
    packets[n].vnet = offloads_.vnet_hdr ? r.header : vnet::VnetHeader{};
    counts_.bytes_in += len;
    ++n;
  }
  ++counts_.reads;
  counts_.read_packets += n;
  return {n, 0};
}

bool ReplayQueue::note_written(std::uint64_t segments) {
  counts_.segments_out += segments;
  row_.written_segments += segments;
  if (row_.done || row_.written_segments < row_.expected_segments) return false;
  row_.done = true;
  return true;
}

void ReplayQueue::finish_if(bool reached) {
  if (reached && row_.on_done) row_.on_done();
}

bool ReplayQueue::wait_for_next(std::unique_lock<std::mutex>& lock) {
  pace_reader(lock);
  // A row with nothing to forward is done at its first read.
  if (!has_next() && row_.expected_segments == 0 && !row_.done) {
    row_.done = true;
    lock.unlock();
    finish_if(true);
    lock.lock();
  }
  row_.cv.wait(lock, [&] { return interrupted_ || has_next(); });
  return !interrupted_;
}

device::IoResult ReplayQueue::read(std::span<std::uint8_t> buffer) {
  DeviceScope scope;
  std::unique_lock lock(row_.mu);
  if (!wait_for_next(lock)) return {0, ECANCELED};
  const Read& r = take();
  const std::size_t n = std::min(buffer.size(), r.bytes.size());
  std::memcpy(buffer.data(), r.bytes.data(), n);
  ++counts_.reads;
  ++counts_.read_packets;
  counts_.bytes_in += n;
  return {n, 0};
}

device::IoResult ReplayQueue::write(std::span<const std::uint8_t> packet) {
  DeviceScope scope;
  std::unique_lock lock(row_.mu);
  if (!wait_for_reader(lock)) return {0, ECANCELED};
  ++counts_.writes;
  ++counts_.write_packets;
  counts_.bytes_out += packet.size();
  const bool reached = note_written(1);
  lock.unlock();
  finish_if(reached);
  return {packet.size(), 0};
}

void ReplayQueue::interrupt() {
  DeviceScope scope;
  std::lock_guard lock(row_.mu);
  interrupted_ = true;
  row_.cv.notify_all();
}

device::IoResult ReplayQueue::recv_batch(std::span<device::Packet> packets) {
  DeviceScope scope;
  std::unique_lock lock(row_.mu);
  if (!wait_for_next(lock)) return {0, ECANCELED};
  return fill(packets);
}

device::IoResult ReplayQueue::send_batch(std::span<const device::OutPacket> packets) {
  DeviceScope scope;
  std::unique_lock lock(row_.mu);
  if (!wait_for_reader(lock)) return {0, ECANCELED};
  ++counts_.writes;
  std::uint64_t segments = 0;
  for (const device::OutPacket& p : packets) {
    ++counts_.write_packets;
    counts_.bytes_out += p.size();
    const vnet::VnetHeader h = offloads_.vnet_hdr ? p.vnet : vnet::VnetHeader{};
    if (h.is_gso()) {
      ++counts_.gso_writes;
      segments += p.more.empty() ? segments_of(h, {p.bytes.begin(), p.bytes.end()}) : gathered_segments_of(h, p.size());
    } else {
      ++segments;
    }
  }
  const bool reached = note_written(segments);
  lock.unlock();
  finish_if(reached);
  return {packets.size(), 0};
}

void ReplayQueue::complete(Handler handler, device::IoResult result) {
  boost::asio::post(io_, [h = std::move(handler), result] { h(result); });
}

void ReplayQueue::async_recv_batch(std::span<device::Packet> packets, Handler handler) {
  DeviceScope scope;
  std::unique_lock lock(row_.mu);
  if (has_next()) {
    complete(std::move(handler), fill(packets));
    return;
  }
  pending_.emplace(Pending{packets, std::move(handler), boost::asio::make_work_guard(io_)});
  if (row_.expected_segments == 0 && !row_.done) {
    row_.done = true;
    lock.unlock();
    finish_if(true);
  }
}

void ReplayQueue::async_send_batch(std::span<const device::OutPacket> packets, Handler handler) {
  DeviceScope scope;
  complete(std::move(handler), send_batch(packets));
}

void ReplayQueue::cancel() {
  DeviceScope scope;
  std::lock_guard lock(row_.mu);
  if (pending_) {
    complete(std::move(pending_->handler), {0, ECANCELED});
    pending_.reset();
  }
}

}  // namespace replay

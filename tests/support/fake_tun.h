#pragma once
// In-memory TUN devices for forwarder tests, no root needed. A FakeTun has one or more
// FakeQueues; each queue is a PacketDevice, a BatchDevice and an AsyncBatchDevice at once.
// The test injects packets a queue will "read from the kernel" (optionally with a virtio
// header: GSO super-packets made by the test) and inspects every write the forwarder made
// (with its header) in the device's log. Writes can be refused by a rule (e.g. EINVAL for GSO
// writes, ENOBUFS for the 3rd write); reads can be made to fail (EIO).
//
// Blocking calls wait on condition variables; async reads park their handler (keeping the
// io_context busy) until a packet or cancel() arrives, and always complete through post().
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>

#include "device/async_batch_device.h"
#include "device/batch_device.h"
#include "device/packet_device.h"

namespace tbtest {

using Bytes = std::vector<std::uint8_t>;

struct Record {
  vnet::VnetHeader header;
  Bytes bytes;
  std::size_t queue = 0;
};

// Decides the errno of a write (0 = accept): the record about to be written and the number of
// write attempts made on the device before it.
using WriteRule = std::function<int(const Record&, std::size_t attempt)>;

// Everything written to one device (all queues), in write order.
class WriteLog {
 public:
  int attempt(Record r, const WriteRule& rule) {
    std::lock_guard lock(mu_);
    const int error = rule ? rule(r, attempts_) : 0;
    ++attempts_;
    if (error == 0) records_.push_back(std::move(r));
    cv_.notify_all();
    return error;
  }
  std::vector<Record> records() const {
    std::lock_guard lock(mu_);
    return records_;
  }
  std::size_t attempts() const {
    std::lock_guard lock(mu_);
    return attempts_;
  }
  // Waits (up to a generous hang guard) until pred(records) holds; returns whether it did.
  bool wait_until(const std::function<bool(const std::vector<Record>&)>& pred,
                  std::chrono::seconds guard = std::chrono::seconds(30)) const {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, guard, [&] { return pred(records_); });
  }

 private:
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  std::vector<Record> records_;
  std::size_t attempts_ = 0;
};

class FakeQueue final : public device::PacketDevice, public device::BatchDevice, public device::AsyncBatchDevice {
 public:
  FakeQueue(device::Offloads offloads, std::size_t index, WriteLog& log, WriteRule& rule, std::mutex& rule_mu,
            boost::asio::io_context* io)
      : offloads_(offloads), index_(index), log_(log), rule_(rule), rule_mu_(rule_mu), io_(io) {}

  // --- test side ---
  void inject(Bytes bytes, vnet::VnetHeader header = {}) { push({header, std::move(bytes), 0}); }
  // The read that reaches this point fails with `error`.
  void inject_read_error(int error) { push({{}, {}, error}); }
  std::size_t queued() const {
    std::lock_guard lock(mu_);
    return inbound_.size();
  }

  // --- PacketDevice ---
  device::IoResult read(std::span<std::uint8_t> buffer) override {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return interrupted_ || !inbound_.empty(); });
    if (interrupted_) return {0, ECANCELED};
    Item it = std::move(inbound_.front());
    inbound_.pop_front();
    if (it.error) return {0, it.error};
    const std::size_t n = std::min(buffer.size(), it.bytes.size());
    std::copy_n(it.bytes.begin(), n, buffer.begin());
    return {n, 0};
  }
  device::IoResult write(std::span<const std::uint8_t> packet) override {
    const int e = attempt({{}, Bytes(packet.begin(), packet.end()), index_});
    return e ? device::IoResult{0, e} : device::IoResult{packet.size(), 0};
  }
  void interrupt() override {
    std::lock_guard lock(mu_);
    interrupted_ = true;
    cv_.notify_all();
  }

  // --- BatchDevice ---
  device::IoResult recv_batch(std::span<device::Packet> packets) override {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return interrupted_ || !inbound_.empty(); });
    if (interrupted_) return {0, ECANCELED};
    return fill(packets);
  }
  device::IoResult send_batch(std::span<const device::OutPacket> packets) override {
    for (std::size_t i = 0; i < packets.size(); ++i) {
      // One packet, as the kernel gathers it from the pieces of a writev.
      Bytes bytes(packets[i].bytes.begin(), packets[i].bytes.end());
      for (const auto& piece : packets[i].more) bytes.insert(bytes.end(), piece.begin(), piece.end());
      Record r{offloads_.vnet_hdr ? packets[i].vnet : vnet::VnetHeader{}, std::move(bytes), index_};
      if (const int e = attempt(std::move(r))) return {i, e};
    }
    return {packets.size(), 0};
  }
  device::Offloads offloads() const override { return offloads_; }

  // --- AsyncBatchDevice ---
  boost::asio::any_io_executor executor() override { return io_->get_executor(); }
  void async_recv_batch(std::span<device::Packet> packets, Handler handler) override {
    async_recv_batch_on(executor(), packets, std::move(handler));
  }
  void async_send_batch(std::span<const device::OutPacket> packets, Handler handler) override {
    async_send_batch_on(executor(), packets, std::move(handler));
  }
  void cancel() override {
    std::lock_guard lock(mu_);
    if (pending_) {
      complete(pending_->on, std::move(pending_->handler), {0, ECANCELED});
      pending_.reset();
    }
  }

  // The operations above, completing on `on` (the queue's own loop, or a view's): a pending read
  // keeps that loop busy, so its run() does not return before the read completes.
  void async_recv_batch_on(const boost::asio::any_io_executor& on, std::span<device::Packet> packets, Handler handler) {
    std::lock_guard lock(mu_);
    if (!inbound_.empty()) {
      complete(on, std::move(handler), fill(packets));
      return;
    }
    pending_.emplace(Pending{packets, std::move(handler),
                             boost::asio::prefer(on, boost::asio::execution::outstanding_work.tracked)});
  }
  void async_send_batch_on(const boost::asio::any_io_executor& on, std::span<const device::OutPacket> packets,
                           Handler handler) {
    complete(on, std::move(handler), send_batch(packets));
  }

 private:
  struct Item {
    vnet::VnetHeader header;
    Bytes bytes;
    int error = 0;
  };
  struct Pending {
    std::span<device::Packet> packets;
    Handler handler;
    boost::asio::any_io_executor on;  // tracks outstanding work
  };

  void push(Item it) {
    std::lock_guard lock(mu_);
    inbound_.push_back(std::move(it));
    cv_.notify_all();
    if (pending_) {
      complete(pending_->on, std::move(pending_->handler), fill(pending_->packets));
      pending_.reset();
    }
  }
  // Moves ready packets into the slots (caller holds mu_); an error item fails the read only
  // when it is first, so the packets before it are delivered.
  device::IoResult fill(std::span<device::Packet> packets) {
    std::size_t n = 0;
    while (n < packets.size() && !inbound_.empty()) {
      Item& it = inbound_.front();
      if (it.error) {
        if (n == 0) {
          const int e = it.error;
          inbound_.pop_front();
          return {0, e};
        }
        break;
      }
      const std::size_t len = std::min(packets[n].buffer.size(), it.bytes.size());
      std::copy_n(it.bytes.begin(), len, packets[n].buffer.begin());
      packets[n].length = len;
      packets[n].vnet = offloads_.vnet_hdr ? it.header : vnet::VnetHeader{};
      inbound_.pop_front();
      ++n;
    }
    return {n, 0};
  }
  static void complete(const boost::asio::any_io_executor& on, Handler h, device::IoResult r) {
    boost::asio::post(on, [h = std::move(h), r] { h(r); });
  }
  int attempt(Record r) {
    std::lock_guard lock(rule_mu_);
    return log_.attempt(std::move(r), rule_);
  }

  device::Offloads offloads_;
  std::size_t index_;
  WriteLog& log_;
  WriteRule& rule_;
  std::mutex& rule_mu_;
  boost::asio::io_context* io_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Item> inbound_;
  bool interrupted_ = false;
  std::optional<Pending> pending_;
};

// One fake TUN device with `queues` queues sharing one write log and one write rule.
class FakeTun {
 public:
  FakeTun(std::string name, device::Offloads offloads, std::size_t queues = 1, boost::asio::io_context* io = nullptr)
      : name_(std::move(name)), offloads_(offloads) {
    for (std::size_t q = 0; q < queues; ++q)
      queues_.push_back(std::make_unique<FakeQueue>(offloads, q, log_, rule_, rule_mu_, io));
  }
  const std::string& name() const { return name_; }
  device::Offloads offloads() const { return offloads_; }
  std::size_t queue_count() const { return queues_.size(); }
  FakeQueue& queue(std::size_t i = 0) { return *queues_.at(i); }
  WriteLog& log() { return log_; }
  void set_write_rule(WriteRule rule) {
    std::lock_guard lock(rule_mu_);
    rule_ = std::move(rule);
  }

 private:
  std::string name_;
  device::Offloads offloads_;
  WriteLog log_;
  std::mutex rule_mu_;
  WriteRule rule_;
  std::vector<std::unique_ptr<FakeQueue>> queues_;
};

// An async view of a FakeQueue whose completions run on `executor` (a direction's own loop), as
// the app's views of a TUN queue do with one event loop per direction.
class FakeAsyncView final : public device::AsyncBatchDevice {
 public:
  FakeAsyncView(FakeQueue& queue, boost::asio::any_io_executor executor) : queue_(queue), ex_(std::move(executor)) {}
  boost::asio::any_io_executor executor() override { return ex_; }
  void async_recv_batch(std::span<device::Packet> packets, Handler handler) override {
    queue_.async_recv_batch_on(ex_, packets, std::move(handler));
  }
  void async_send_batch(std::span<const device::OutPacket> packets, Handler handler) override {
    queue_.async_send_batch_on(ex_, packets, std::move(handler));
  }
  device::Offloads offloads() const override { return queue_.offloads(); }
  void cancel() override { queue_.cancel(); }

 private:
  FakeQueue& queue_;
  boost::asio::any_io_executor ex_;
};

// Offloads a TUN grants with IFF_VNET_HDR and TSO/USO (and none at all).
inline device::Offloads full_offloads() { return {true, true, true, true, true}; }
inline device::Offloads no_offloads() { return {}; }

}  // namespace tbtest

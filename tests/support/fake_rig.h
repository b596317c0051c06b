#pragma once
// A forwarder mode run between two fake TUNs (fake_tun.h) on a thread, and what its tests need
// around it: packet scripts (flows of TCP/UDP, v4/v6), and what a fake device received
// flattened back to plain packets (GSO writes split by the offload engine). Links tb_forward and
// tb_offload.
#include <array>
#include <chrono>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "forward/registry.h"
#include "support/engine_split.h"
#include "support/fake_tun.h"
#include "support/packet_builder.h"

namespace tbtest {

// Plain packets a record stands for: GSO writes (and NEEDS_CSUM ones) split by the engine.
inline std::vector<Bytes> flatten(const std::vector<Record>& records) {
  std::vector<Bytes> out;
  for (const auto& r : records) {
    if (!r.header.is_gso() && !r.header.needs_csum()) {
      out.push_back(r.bytes);
      continue;
    }
    auto split = engine_split(r.header, r.bytes);
    if (!split.ok()) {
      ADD_FAILURE() << "forwarder wrote a GSO packet the engine cannot split: " << vnet::describe(r.header);
      continue;
    }
    for (auto& s : split.segments) out.push_back(std::move(s));
  }
  return out;
}

inline std::map<std::string, std::vector<Bytes>> by_flow(const std::vector<Bytes>& packets) {
  std::map<std::string, std::vector<Bytes>> m;
  for (const auto& p : packets) m[flow_key(p)].push_back(p);
  return m;
}

// Plain packets one injected item becomes after the forwarder's read-side split.
inline std::vector<Bytes> expected_of(const vnet::VnetHeader& h, const Bytes& bytes) {
  return flatten({Record{h, bytes, 0}});
}

// One injected item: which queue, header, bytes.
struct Injection {
  std::size_t queue = 0;
  vnet::VnetHeader header;
  Bytes bytes;
};

inline PacketSpec flow_spec(int version, std::uint8_t proto, std::uint16_t sport, bool reverse = false) {
  PacketSpec s;
  s.proto = proto;
  s.sport = sport;
  s.dport = 5201;
  if (version == 6) s = v6(s);
  if (version == 4) {
    s.src = {10, 0, 1, 1};
    s.dst = {10, 0, 2, 1};
  }
  if (reverse) std::swap(s.src, s.dst);
  return s;
}

// `count` packets of one flow with `payload` bytes each, consecutive TCP sequence numbers.
inline std::vector<Bytes> flow_packets(PacketSpec s, std::size_t count, std::size_t payload, std::uint32_t seed) {
  std::vector<Bytes> v;
  for (std::size_t i = 0; i < count; ++i) {
    s.payload = pattern(payload, seed * 1000 + static_cast<std::uint32_t>(i));
    s.id = static_cast<std::uint16_t>(100 + i);
    v.push_back(build(s));
    s.seq += static_cast<std::uint32_t>(payload);
  }
  return v;
}

// Packets a record stands for, cheaply (no split): GSO writes count their segments.
inline std::size_t segments_of(const Record& r) {
  if (!r.header.is_gso() || r.header.gso_size == 0) return 1;
  const std::size_t h = headers_length(r.bytes);
  const std::size_t payload = r.bytes.size() > h ? r.bytes.size() - h : 0;
  return payload == 0 ? 1 : (payload + r.header.gso_size - 1) / r.header.gso_size;
}

class FakeRig {
 public:
  FakeRig(const forward::Mode& mode, device::Offloads a, device::Offloads b, std::size_t queues)
      : mode_(mode), a_("tun11", a, queues, &io_), b_("tun22", b, queues, &io_) {}
  FakeRig(const forward::Mode& mode, std::size_t queues = 0)
      : FakeRig(mode, mode.offload ? full_offloads() : no_offloads(), mode.offload ? full_offloads() : no_offloads(),
                forward::queues_for(mode, queues)) {}
  ~FakeRig() {
    if (fwd_ && done_.valid()) {
      fwd_->stop();
      done_.wait();
    }
  }

  FakeTun& a() { return a_; }
  FakeTun& b() { return b_; }
  forward::Forwarder& forwarder() { return *fwd_; }

  // Async modes: with n > 1, each direction on its own event loop and thread (as tunfwd
  // --threads 2 sets it up). Call before start().
  void set_threads(std::size_t n) { threads_ = n; }

  forward::Setup setup() {
    forward::Setup s;
    s.io = &io_;
    if (threads_ > 1) s.second_io = &second_io_;
    s.options.threads = threads_;
    // Direction d reads device d and writes the other one: both views on direction d's loop.
    const std::array<boost::asio::any_io_executor, 2> executors{s.loop(0).get_executor(), s.loop(1).get_executor()};
    std::size_t i = 0;
    for (auto [tun, ep] : {std::pair{&a_, &s.first}, std::pair{&b_, &s.second}}) {
      ep->name = tun->name();
      ep->offloads = tun->offloads();
      for (std::size_t q = 0; q < tun->queue_count(); ++q) {
        ep->packet.push_back(&tun->queue(q));
        ep->batch.push_back(&tun->queue(q));
        if (threads_ == 1) {
          ep->async_read.push_back(&tun->queue(q));
          ep->async_write.push_back(&tun->queue(q));
          continue;
        }
        views_.push_back(std::make_unique<FakeAsyncView>(tun->queue(q), executors[i]));
        ep->async_read.push_back(views_.back().get());
        views_.push_back(std::make_unique<FakeAsyncView>(tun->queue(q), executors[1 - i]));
        ep->async_write.push_back(views_.back().get());
      }
      ++i;
    }
    return s;
  }

  void start() {
    fwd_ = mode_.make(setup(), mode_);
    done_ = std::async(std::launch::async, [this] { return fwd_->run(); });
  }
  // Waits for run() to return by itself (e.g. after a device error), with a hang guard.
  std::optional<forward::Status> wait_finished() {
    if (done_.wait_for(std::chrono::seconds(30)) != std::future_status::ready) return std::nullopt;
    return done_.get();
  }
  forward::Status stop() {
    fwd_->stop();
    auto s = wait_finished();
    if (!s) {
      ADD_FAILURE() << "forwarder did not stop";
      return {false, "hang"};
    }
    return *s;
  }
  void inject(FakeTun& t, const Injection& i) { t.queue(i.queue % t.queue_count()).inject(i.bytes, i.header); }
  // Waits until `tun` received (flattened) at least n packets.
  bool wait_packets(FakeTun& t, std::size_t n) {
    return t.log().wait_until([n](const std::vector<Record>& r) {
      std::size_t c = 0;
      for (const auto& rec : r) c += segments_of(rec);
      return c >= n;
    });
  }

 private:
  const forward::Mode& mode_;
  boost::asio::io_context io_;
  boost::asio::io_context second_io_;
  FakeTun a_, b_;
  std::size_t threads_ = 1;
  std::vector<std::unique_ptr<FakeAsyncView>> views_;
  std::unique_ptr<forward::Forwarder> fwd_;
  std::future<forward::Status> done_;
};

}  // namespace tbtest

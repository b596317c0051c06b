#include "forward/sync_channel_forwarder.h"

#include <algorithm>
#include <cerrno>
#include <thread>
#include <vector>

namespace forward {

SyncChannelForwarder::SyncChannelForwarder(const Setup& setup)
    : ForwarderBase(setup), setup_(setup), store_(segment_size(setup.options)) {
  for (auto& c : channels_) c = std::make_unique<Channel<Frame>>();
}

SyncChannelForwarder::~SyncChannelForwarder() {
  for (auto& c : channels_) c->drain([&](const Frame& f) { store_.release(f); });
}

void SyncChannelForwarder::interrupt_all() {
  for (auto* e : {&setup_.first, &setup_.second})
    for (auto* p : e->packet) p->interrupt();
  for (auto& c : channels_) c->close();
}

void SyncChannelForwarder::reader(std::size_t d) {
  const Endpoint& in = d == 0 ? setup_.first : setup_.second;
  device::PacketDevice& src = *in.packet.at(0);
  DirectionCounters& shared = counters_.direction(d);
  std::vector<std::uint8_t> buffer(kMaxPacket);
  Tally t;
  while (!stopping()) {
    const auto r = src.read(buffer);
    if (!r.ok()) {
      if (on_read_error(in.name, r.error)) break;
      continue;
    }
    ++t.reads;
    ++t.batches;
    ++t.packets;
    if (r.count > store_.frame_size()) {
      t.drop(DropReason::kTooBig);
    } else {
      Frame f = *store_.acquire();
      std::copy_n(buffer.begin(), r.count, f.data);
      f.length = static_cast<std::uint32_t>(r.count);
      if (!channels_[d]->push(f)) {  // closed: the forwarder is stopping
        store_.release(f);
        t.drop(DropReason::kShutdown);
      }
    }
    shared.flush(t);  // before the packet can be counted as written by the other thread
  }
  shared.flush(t);
}

void SyncChannelForwarder::writer(std::size_t d) {
  const Endpoint& out = d == 0 ? setup_.second : setup_.first;
  device::PacketDevice& dst = *out.packet.at(0);
  DirectionCounters& shared = counters_.direction(d);
  std::vector<Frame> frames(kWriteBatch);
  Tally t;
  for (;;) {
    const std::size_t n = channels_[d]->pop_some(frames);
    if (n == 0) break;
    for (std::size_t i = 0; i < n; ++i) {
      for (;;) {
        const auto w = dst.write(frames[i].bytes());
        if (w.ok()) {
          ++t.written;
          ++t.writes;
          t.bytes += frames[i].length;
        } else if (w.error == EINTR) {
          continue;
        } else {
          t.drop(write_drop_reason(w.error));
        }
        break;
      }
      store_.release(frames[i]);
    }
    shared.flush(t);
  }
  shared.flush(t);
}

Status SyncChannelForwarder::run() {
  std::vector<std::thread> threads;
  for (std::size_t d = 0; d < 2; ++d) {
    threads.emplace_back([this, d] { reader(d); });
    threads.emplace_back([this, d] { writer(d); });
  }
  for (auto& t : threads) t.join();
  // Whatever the writers did not take is counted, so packets == written + dropped holds.
  for (std::size_t d = 0; d < 2; ++d) {
    Tally t;
    t.drop(DropReason::kShutdown, channels_[d]->drain([&](const Frame& f) { store_.release(f); }));
    counters_.direction(d).flush(t);
  }
  return status();
}

}  // namespace forward

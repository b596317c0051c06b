#include "forward/modes/async_channel_forwarder.h"

#include <cassert>
#include <stdexcept>
#include <string>

#include <boost/asio/post.hpp>

#include "forward/modes/async_loop.h"

namespace forward {

struct AsyncChannelForwarder::Direction {
  Direction(const Endpoint& in, const Endpoint& out, FrameStore& store, std::size_t seg, std::size_t batch,
            DirectionCounters& c)
      : name(in.name),
        reader(*in.async_read[0], store, seg),
        writer(*out.async_write[0], store, seg, batch),
        channel(in.async_read[0]->executor()),
        counters(c) {}
  std::string name;
  FramedReader reader;
  FramedWriter writer;
  AsyncChannel<Frame> channel;
  DirectionCounters& counters;
  Tally read_tally, write_tally;
  std::span<const Frame> pending;
  std::size_t next = 0;
  int read_error = 0;
};

AsyncChannelForwarder::AsyncChannelForwarder(const Setup& setup, const Mode& mode)
    : ForwarderBase(setup), setup_(setup) {
  if (!setup.io || !setup.has_async_devices())
    throw std::invalid_argument("async forwarder needs an io_context and async devices");
  const std::size_t seg = segment_size(setup.options);
  // Pool size: everything that can be in flight at once (channel, one write batch, one read
  // batch's segments), so acquire never comes back empty.
  if (mode.pool)
    store_ = std::make_unique<PoolFrameStore>(kChannelCapacity + kMaxSegments + kMaxSegments, seg);
  else
    store_ = std::make_unique<HeapFrameStore>(seg);
  const std::size_t batch = mode.framed ? kMaxSegments : kWriteBatch;
  for (std::size_t d = 0; d < 2; ++d) {
    dirs_[d] = std::make_unique<Direction>(setup_.in(d), setup_.out(d), *store_, seg, batch, counters_.direction(d));
  }
}

AsyncChannelForwarder::~AsyncChannelForwarder() {
  for (auto& d : dirs_) d->channel.drain([&](const Frame& f) { store_->release(f); });
}

const BufferPool* AsyncChannelForwarder::pool() const {
  auto* p = dynamic_cast<const PoolFrameStore*>(store_.get());
  return p ? &p->pool() : nullptr;
}

void AsyncChannelForwarder::interrupt_all() {
  post_cancel_all(setup_, [this](std::size_t d) { dirs_[d]->channel.close(); });
}

void AsyncChannelForwarder::read(Direction& d) {
  d.counters.flush(d.read_tally);
  if (stopping()) return;
  d.reader.async_read(d.read_tally, [this, &d](std::span<const Frame> frames, int error) {
    d.pending = frames;
    d.next = 0;
    d.read_error = error;
    pump(d);
  });
}

void AsyncChannelForwarder::pump(Direction& d) {
  while (d.next < d.pending.size()) {
    if (d.channel.try_push(d.pending[d.next])) {
      ++d.next;
      continue;
    }
    if (d.channel.closed()) {  // stopping: what was not queued is counted, not lost
      for (; d.next < d.pending.size(); ++d.next) {
        store_->release(d.pending[d.next]);
        d.read_tally.drop(DropReason::kShutdown);
      }
      break;
    }
    d.counters.flush(d.read_tally);
    d.channel.wait_for_room([this, &d](bool) { pump(d); });
    return;
  }
  if (d.read_error != 0 && on_read_error(d.name, d.read_error)) {
    d.counters.flush(d.read_tally);
    return;
  }
  read(d);
}

void AsyncChannelForwarder::wait(Direction& d) {
  d.counters.flush(d.write_tally);
  d.channel.wait_for_item([this, &d](bool open) {
    if (open) take(d);
  });
}

void AsyncChannelForwarder::take(Direction& d) {
  Frame f;
  while (!d.writer.full() && d.channel.try_pop(f)) d.writer.feed(f);
  if (d.writer.empty()) {
    wait(d);
    return;
  }
  d.writer.async_flush(d.write_tally, [this, &d] { wait(d); });
}

Status AsyncChannelForwarder::run() {
  for (std::size_t d = 0; d < 2; ++d) {
    const auto ex = setup_.in(d).async_read[0]->executor();
    assert(ex);  // a device always has an executor; posting to an empty one would dereference null
    boost::asio::post(ex, [this, dir = dirs_[d].get()] {
      read(*dir);
      wait(*dir);
    });
  }
  run_loops(setup_);
  for (auto& d : dirs_) {
    Tally t;
    t.drop(DropReason::kShutdown, d->channel.drain([&](const Frame& f) { store_->release(f); }));
    d->counters.flush(t);
    d->counters.flush(d->read_tally);
    d->counters.flush(d->write_tally);
  }
  return status();
}

}  // namespace forward

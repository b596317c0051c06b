#include "forward/modes/sync_channel_forwarder.h"

#include <algorithm>
#include <vector>

#include "forward/stages/recv_slots.h"
#include "forward/stages/write_one.h"

namespace forward {

void SyncChannelForwarder::interrupt_all() {
  for (auto* e : {&setup_.first, &setup_.second})
    for (auto* p : e->packet) p->interrupt();
  close_channels();
}

void SyncChannelForwarder::reader(std::size_t d) {
  const Endpoint& in = setup_.in(d);
  device::PacketDevice& src = *in.packet.at(0);
  DirectionCounters& shared = counters_.direction(d);
  ReadBuffer storage;
  const std::span<std::uint8_t> buffer = storage.bytes();
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
      Frame f = *store_.acquire(r.count);
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
  const Endpoint& out = setup_.out(d);
  device::PacketDevice& dst = *out.packet.at(0);
  DirectionCounters& shared = counters_.direction(d);
  std::vector<Frame> frames(kWriteBatch);
  Tally t;
  for (;;) {
    const std::size_t n = channels_[d]->pop_some(frames);
    if (n == 0) break;
    for (std::size_t i = 0; i < n; ++i) {
      write_one(dst, frames[i].bytes(), t);
      store_.release(frames[i]);
    }
    shared.flush(t);
  }
  shared.flush(t);
}

}  // namespace forward

#include "forward/modes/sync_forwarder.h"

#include <thread>

#include "forward/stages/recv_slots.h"
#include "forward/stages/write_one.h"

namespace forward {

namespace {
// Flush local counts at least this often so a live reader of the counters sees progress.
constexpr int kFlushEvery = 64;
}  // namespace

SyncForwarder::SyncForwarder(const Setup& setup, const Mode&) : ForwarderBase(setup), setup_(setup) {}

void SyncForwarder::interrupt_all() {
  for (auto* e : {&setup_.first, &setup_.second})
    for (auto* p : e->packet) p->interrupt();
}

void SyncForwarder::direction(std::size_t d) {
  const Endpoint& in = setup_.in(d);
  const Endpoint& out = setup_.out(d);
  device::PacketDevice& src = *in.packet.at(0);
  device::PacketDevice& dst = *out.packet.at(0);
  DirectionCounters& shared = counters_.direction(d);
  ReadBuffer storage;
  const std::span<std::uint8_t> buffer = storage.bytes();
  Tally t;
  int since_flush = 0;
  while (!stopping()) {
    const auto r = src.read(buffer);
    if (!r.ok()) {
      if (on_read_error(in.name, r.error)) break;
      continue;
    }
    ++t.reads;
    ++t.batches;
    ++t.packets;
    write_one(dst, std::span<const std::uint8_t>(buffer).first(r.count), t);
    if (++since_flush == kFlushEvery) {
      shared.flush(t);
      since_flush = 0;
    }
  }
  shared.flush(t);
}

Status SyncForwarder::run() {
  std::thread back([this] { direction(1); });
  direction(0);
  back.join();
  return status();
}

}  // namespace forward

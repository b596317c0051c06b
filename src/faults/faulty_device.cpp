#include "faults/faulty_device.h"

#include <boost/asio/post.hpp>

namespace faults {

device::IoResult FaultyQueue::write(std::span<const std::uint8_t> packet) {
  if (const int error = injector_.next_write(false)) return {0, error};
  return packet_.write(packet);
}

device::IoResult FaultyQueue::send_batch(std::span<const device::OutPacket> packets) {
  const bool vnet = batch_.offloads().vnet_hdr;
  std::size_t done = 0;
  for (const auto& p : packets) {
    if (const int error = injector_.next_write(vnet && p.vnet.is_gso())) return {done, error};
    const auto r = batch_.send_batch({&p, 1});
    done += r.count;
    if (!r.ok()) return {done, r.error};
  }
  return {done, 0};
}

void FaultyQueue::interrupt() {
  packet_.interrupt();
  batch_.interrupt();
}

void FaultyAsyncDevice::async_send_batch(std::span<const device::OutPacket> packets, Handler handler) {
  send_from(packets, 0, std::move(handler));
}

void FaultyAsyncDevice::send_from(std::span<const device::OutPacket> packets, std::size_t done, Handler handler) {
  const auto complete = [this, &handler](device::IoResult r) {
    // Through the executor, as the interface promises: never inside the initiating call.
    boost::asio::post(inner_.executor(), [h = std::move(handler), r] { h(r); });
  };
  if (done == packets.size()) return complete({done, 0});
  const bool gso = inner_.offloads().vnet_hdr && packets[done].vnet.is_gso();
  if (const int error = injector_.next_write(gso)) return complete({done, error});
  inner_.async_send_batch(packets.subspan(done, 1),
                          [this, packets, done, h = std::move(handler)](device::IoResult r) mutable {
                            if (!r.ok()) return h({done + r.count, r.error});
                            send_from(packets, done + 1, std::move(h));
                          });
}

}  // namespace faults

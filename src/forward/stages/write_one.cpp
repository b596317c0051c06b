#include "forward/stages/write_one.h"

#include <cerrno>

namespace forward {

void write_one(device::PacketDevice& dst, std::span<const std::uint8_t> packet, Tally& t) {
  for (;;) {
    const auto w = dst.write(packet);
    if (w.ok()) {
      ++t.written;
      ++t.writes;
      t.bytes += packet.size();
    } else if (w.error == EINTR) {
      continue;
    } else {
      t.drop(write_drop_reason(w.error));
    }
    return;
  }
}

}  // namespace forward

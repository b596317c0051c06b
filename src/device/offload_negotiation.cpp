#include "device/offload_negotiation.h"

#include <cerrno>

namespace device {

namespace {
Offloads from_mask(unsigned mask) {
  return Offloads{
      .vnet_hdr = true,
      .csum = (mask & kTunFCsum) != 0,
      .tso4 = (mask & kTunFTso4) != 0,
      .tso6 = (mask & kTunFTso6) != 0,
      .uso = (mask & (kTunFUso4 | kTunFUso6)) == (kTunFUso4 | kTunFUso6),
  };
}
}  // namespace

Negotiation negotiate_offloads(bool want_vnet, bool want_uso, unsigned features,
                               const std::function<int(unsigned)>& try_set) {
  if (!want_vnet || (features & kIffVnetHdr) == 0) {
    // Without headers no offload may stay on: the kernel would hand us super-packets and
    // partial checksums we could not recognise.
    const int err = try_set(0);
    return Negotiation{.offloads = {}, .mask = 0, .error = err};
  }
  constexpr unsigned kTso = kTunFCsum | kTunFTso4 | kTunFTso6;
  const unsigned candidates[] = {kTso | kTunFUso4 | kTunFUso6, kTso, 0};
  for (unsigned mask : candidates) {
    if (!want_uso && (mask & kTunFUso4)) continue;
    const int err = try_set(mask);
    if (err == 0) return Negotiation{.offloads = from_mask(mask), .mask = mask, .error = 0};
    // EINVAL is the kernel's "unknown bit": the probe answer, so fall back. Anything else is
    // a real failure.
    if (err != EINVAL || mask == 0) return Negotiation{.offloads = from_mask(0), .mask = mask, .error = err};
  }
  return Negotiation{.offloads = from_mask(0), .mask = 0, .error = EINVAL};  // unreachable
}

}  // namespace device

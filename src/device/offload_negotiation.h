#pragma once
// The TUNSETOFFLOAD probe sequence of docs/offload.md §1 as a pure function: the ioctl is a
// callback, so every fallback is unit-tested without root or a particular kernel.
#include <functional>

#include "device/offloads.h"

namespace device {

// TUN_F_* bits (linux/if_tun.h; USO4/6 are missing from older userspace headers).
inline constexpr unsigned kTunFCsum = 0x01;
inline constexpr unsigned kTunFTso4 = 0x02;
inline constexpr unsigned kTunFTso6 = 0x04;
inline constexpr unsigned kTunFUso4 = 0x20;
inline constexpr unsigned kTunFUso6 = 0x40;
inline constexpr unsigned kIffVnetHdr = 0x4000;

struct Negotiation {
  Offloads offloads;  // what the device ended up with
  unsigned mask = 0;  // the TUNSETOFFLOAD mask accepted, or the one that failed with `error`
  int error = 0;      // errno of a failure that is not a feature refusal (EINVAL); 0 = fine
};

// `features` is the TUNGETFEATURES result. `try_set(mask)` performs TUNSETOFFLOAD and returns
// 0 or an errno.
// - vnet wanted and supported: CSUM|TSO4|TSO6|USO4|USO6 (if want_uso), on EINVAL CSUM|TSO4|TSO6,
//   on EINVAL 0 (vnet headers stay on, all offloads off);
// - otherwise: 0 explicitly, because a persistent device keeps its previous owner's mask.
// Any other errno stops the sequence and is reported in `error`.
Negotiation negotiate_offloads(bool want_vnet, bool want_uso, unsigned features,
                               const std::function<int(unsigned)>& try_set);

}  // namespace device

#pragma once
// The two offload sets the device tests open their queues with: nothing negotiated (a plain
// TUN), and everything a vnet TUN can grant (vnet header, checksum, TSO4, TSO6, USO).
#include "device/offloads.h"

namespace tbtest {

inline const device::Offloads kPlain{};
inline const device::Offloads kEveryOffload{true, true, true, true, true};

}  // namespace tbtest

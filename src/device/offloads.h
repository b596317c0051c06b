#pragma once
#include <cstdint>
#include <string>

namespace device {

// What a TUN device was granted by TUNSETOFFLOAD (docs/offload.md §1), or what a fake reports.
struct Offloads {
  bool vnet_hdr = false;  // IFF_VNET_HDR: every read/write carries a virtio_net_hdr
  bool csum = false;      // TUN_F_CSUM
  bool tso4 = false;
  bool tso6 = false;
  bool uso = false;  // TUN_F_USO4|USO6 (always together)

  bool tcp_gso() const { return vnet_hdr && csum && tso4 && tso6; }
  bool udp_gso() const { return vnet_hdr && csum && uso; }
  friend bool operator==(const Offloads&, const Offloads&) = default;
};

// "vnet_hdr csum tso4 tso6 uso" or "none"
std::string describe(const Offloads& o);

}  // namespace device

#pragma once
// Which offloads a forwarder negotiated on a TUN it opened, seen from outside: TUNSETOFFLOAD
// turns its TUN_F_* flags into the device's features (drivers/net/tun.c tun_set_offload:
// TUN_F_CSUM → tx-checksum-ip-generic, TUN_F_TSO4 → tx-tcp-segmentation, TUN_F_TSO6 →
// tx-tcp6-segmentation, TUN_F_USO4|USO6 → tx-udp-segmentation), which SIOCETHTOOL reads. A case
// whose rule only a forwarder with that offload can break (its own split of a super-packet) says
// "not applicable" when the forwarder did not ask for it: the kernel did the work instead.
#include <map>
#include <string>

namespace check {

struct Offloads {
  bool checksum = false;  // the reader takes packets with NEEDS_CSUM (a partial checksum)
  bool tso4 = false;      // TCP/IPv4 super-packets
  bool tso6 = false;      // TCP/IPv6 super-packets
  bool uso = false;       // UDP super-packets (USO, both IP versions)

  // "csum tso4 tso6 uso", "none".
  std::string describe() const;
};

// From a device's features (os::device_features).
Offloads offloads_from_features(const std::map<std::string, bool>& features);

// Reads `device`'s features in namespace `ns`; throws naming the device.
Offloads negotiated_offloads(const std::string& ns, const std::string& device);

}  // namespace check

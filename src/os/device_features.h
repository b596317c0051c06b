#pragma once
// A network device's offload features as `ethtool -k` names them ("tx-tcp-segmentation",
// "rx-gro"…), read and switched with the SIOCETHTOOL ioctl the way ethtool does: the feature
// names come from the kernel (ETHTOOL_GSTRINGS of the ETH_SS_FEATURES set), so no bit position
// is hard-coded. Why tunbench needs it: a TUN's features are what its reader negotiated with
// TUNSETOFFLOAD (TUN_F_TSO4 → tx-tcp-segmentation, …; drivers/net/tun.c tun_set_offload), the
// one way to see from outside which offloads a forwarder asked for; and a veth's segmentation and
// GRO are switched to make the kernel split or merge (`tunbench check`'s kernel oracle).
#include <map>
#include <string>

namespace os {

// Feature name → active. `socket_fd` is any socket in the device's network namespace (the
// ioctl finds the device by name there). Throws std::runtime_error naming the device and step.
std::map<std::string, bool> device_features(int socket_fd, const std::string& device);

// Requests each named feature on or off (ETHTOOL_SFEATURES), then reads back and throws when one
// did not take (a fixed feature, an unknown name).
void set_device_features(int socket_fd, const std::string& device, const std::map<std::string, bool>& wanted);

}  // namespace os

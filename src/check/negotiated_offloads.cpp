#include "check/negotiated_offloads.h"

#include <sys/socket.h>

#include "check/netns.h"
#include "os/device_features.h"

namespace check {
namespace {

bool on(const std::map<std::string, bool>& features, const char* name) {
  const auto it = features.find(name);
  return it != features.end() && it->second;
}

}  // namespace

std::string Offloads::describe() const {
  std::string s;
  for (const auto& [set, name] : {std::pair{checksum, "csum"}, {tso4, "tso4"}, {tso6, "tso6"}, {uso, "uso"}})
    if (set) s += (s.empty() ? "" : " ") + std::string(name);
  return s.empty() ? "none" : s;
}

Offloads offloads_from_features(const std::map<std::string, bool>& features) {
  return {on(features, "tx-checksum-ip-generic"), on(features, "tx-tcp-segmentation"),
          on(features, "tx-tcp6-segmentation"), on(features, "tx-udp-segmentation")};
}

Offloads negotiated_offloads(const std::string& ns, const std::string& device) {
  const auto socket = socket_in(ns, AF_INET, SOCK_DGRAM, 0);
  return offloads_from_features(os::device_features(socket.get(), device));
}

}  // namespace check

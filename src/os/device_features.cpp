#include "os/device_features.h"

#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <sys/ioctl.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>

namespace os {
namespace {

// One SIOCETHTOOL call with `command` as its buffer; throws naming the step.
void ethtool(int fd, const std::string& device, void* command, const char* step) {
  ifreq ifr{};
  if (device.empty() || device.size() >= IFNAMSIZ)
    throw std::runtime_error(fmt::format("'{}' is not a device name", device));
  std::memcpy(ifr.ifr_name, device.data(), device.size());
  ifr.ifr_data = static_cast<char*>(command);
  if (::ioctl(fd, SIOCETHTOOL, &ifr) != 0)
    throw std::runtime_error(fmt::format("{}: ethtool {}: {}", device, step, std::strerror(errno)));
}

// The names of the feature bits, in bit order.
std::vector<std::string> feature_names(int fd, const std::string& device) {
  // ethtool_sset_info ends in a flexible array: one u32 for the one set asked about.
  std::vector<std::uint8_t> sset(sizeof(ethtool_sset_info) + sizeof(std::uint32_t));
  auto* info = reinterpret_cast<ethtool_sset_info*>(sset.data());
  info->cmd = ETHTOOL_GSSET_INFO;
  info->sset_mask = 1ULL << ETH_SS_FEATURES;
  ethtool(fd, device, info, "GSSET_INFO");
  const std::uint32_t n = info->sset_mask != 0 ? info->data[0] : 0;
  std::vector<std::uint8_t> buffer(sizeof(ethtool_gstrings) + std::size_t{n} * ETH_GSTRING_LEN);
  auto* strings = reinterpret_cast<ethtool_gstrings*>(buffer.data());
  strings->cmd = ETHTOOL_GSTRINGS;
  strings->string_set = ETH_SS_FEATURES;
  strings->len = n;
  ethtool(fd, device, strings, "GSTRINGS");
  std::vector<std::string> names;
  for (std::uint32_t i = 0; i < strings->len; ++i) {
    const char* s = reinterpret_cast<const char*>(strings->data) + std::size_t{i} * ETH_GSTRING_LEN;
    names.emplace_back(s, ::strnlen(s, ETH_GSTRING_LEN));
  }
  return names;
}

std::size_t blocks_for(std::size_t bits) { return (bits + 31) / 32; }

}  // namespace

std::map<std::string, bool> device_features(int socket_fd, const std::string& device) {
  const auto names = feature_names(socket_fd, device);
  const auto blocks = blocks_for(names.size());
  std::vector<std::uint8_t> buffer(sizeof(ethtool_gfeatures) + blocks * sizeof(ethtool_get_features_block));
  auto* features = reinterpret_cast<ethtool_gfeatures*>(buffer.data());
  features->cmd = ETHTOOL_GFEATURES;
  features->size = static_cast<std::uint32_t>(blocks);
  ethtool(socket_fd, device, features, "GFEATURES");
  std::map<std::string, bool> active;
  for (std::size_t i = 0; i < names.size(); ++i)
    if (!names[i].empty()) active[names[i]] = (features->features[i / 32].active >> (i % 32)) & 1U;
  return active;
}

void set_device_features(int socket_fd, const std::string& device, const std::map<std::string, bool>& wanted) {
  const auto names = feature_names(socket_fd, device);
  const auto blocks = blocks_for(names.size());
  std::vector<std::uint8_t> buffer(sizeof(ethtool_sfeatures) + blocks * sizeof(ethtool_set_features_block));
  auto* request = reinterpret_cast<ethtool_sfeatures*>(buffer.data());
  request->cmd = ETHTOOL_SFEATURES;
  request->size = static_cast<std::uint32_t>(blocks);
  for (const auto& [name, on] : wanted) {
    std::size_t bit = 0;
    while (bit < names.size() && names[bit] != name) ++bit;
    if (bit == names.size()) throw std::runtime_error(fmt::format("{}: no feature named '{}'", device, name));
    request->features[bit / 32].valid |= 1U << (bit % 32);
    if (on) request->features[bit / 32].requested |= 1U << (bit % 32);
  }
  // A positive return (ETHTOOL_F_WISH…) only says not everything took: the read-back below names it.
  ethtool(socket_fd, device, request, "SFEATURES");
  const auto now = device_features(socket_fd, device);
  for (const auto& [name, on] : wanted)
    if (now.at(name) != on)
      throw std::runtime_error(fmt::format("{}: feature {} stays {}", device, name, on ? "off" : "on"));
}

}  // namespace os

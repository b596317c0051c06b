#pragma once
// The mode registry: every name `tunfwd --mode` accepts, with what the app must open for it.
#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "forward/forwarder.h"

namespace forward {

struct Mode {
  std::string name;
  std::string description;  // one line, for --list
  bool vnet = false;        // open both devices with IFF_VNET_HDR + offloads
  std::size_t queues = 1;   // queues per device; 0 = --queues (default kDefaultQueues)
  bool async = false;       // needs an io_context and AsyncBatchDevice per queue
  std::function<std::unique_ptr<Forwarder>(const Setup&)> make;
  // What tunfwd --cpus auto does for this mode: pin every thread to one CPU (see
  // cpu_placement.h), or leave it to the scheduler when the mode forwards faster that way.
  bool pin_by_default = true;
};

inline constexpr std::size_t kDefaultQueues = 2;

std::span<const Mode> modes();
const Mode* find_mode(std::string_view name);
// Queues per device for `mode` given the --queues flag (0 when not given).
std::size_t queues_for(const Mode& mode, std::size_t flag);

}  // namespace forward

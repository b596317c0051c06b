#pragma once
// The mode registry: every name `tunfwd --mode` accepts and every fact about that mode, in one
// entry each (registry.cpp). Everything else reads the facts from here: tunfwd (which devices to
// open, where threads run), `tunfwd --list --json` (the harness and the reports read that), the
// forwarder classes (their shape) and the tests (which modes exist and what each must do).
// How to add a mode: docs/architecture.md, "Adding a mode".
#include <cstddef>
#include <memory>
#include <span>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "forward/forwarder.h"

namespace forward {

struct Mode;
using Factory = std::unique_ptr<Forwarder> (*)(const Setup& setup, const Mode& mode);

struct Mode {
  std::string_view name;
  std::string_view description;  // one line, for --list
  // Both devices are opened with IFF_VNET_HDR and TSO/USO (docs/offload.md §1): reads bring
  // GSO super-packets, writes may carry them.
  bool offload = false;
  // Super-packets are forwarded whole when both devices granted the same offloads (validated
  // first), else split and coalesced. Implies offload.
  bool passthrough = false;
  // A bounded queue (channels/channel.h, 2048 entries) between a reader and a writer per direction.
  bool channel = false;
  // Packet buffers recycled through a BufferPool instead of allocated per packet. Implies channel.
  bool pool = false;
  // A framed reader/writer: the writer is fed every frame ready, then flushes them at once.
  bool framed = false;
  // Event loop (Boost.Asio) instead of blocking threads; --threads 2 gives each direction its own.
  bool async = false;
  // Async modes: without --threads, each direction runs its own event loop on its own thread (as
  // --threads 2) when the process may use two CPUs or more; else one loop runs both directions.
  // Implies async and not pin_by_default (two loops on one CPU would only take turns).
  bool loop_per_direction = false;
  // Batch reads and batch writes each go through one io_uring_enter (device::UringQueue)
  // instead of a system call per packet. Sync batch modes only.
  bool uring = false;
  // Queues per device; 0 = the --queues flag (default kDefaultQueues).
  std::size_t queues = 1;
  // What `--cpus auto` does: pin every thread to one CPU, or leave the mode to the scheduler
  // when it measured faster that way (see os/cpu_placement.h).
  bool pin_by_default = true;
  // The row of the reference benchmark this mode reproduces (docs/reference.md), 0 for ours.
  int reference_row = 0;
  Factory make = nullptr;
};

inline constexpr std::size_t kDefaultQueues = 2;

std::span<const Mode> modes();
const Mode* find_mode(std::string_view name);
// Queues per device for `mode` given the --queues flag (0 when not given).
std::size_t queues_for(const Mode& mode, std::size_t flag);

// The facts of one mode, as `tunfwd --list --json` prints them (format tunfwd-modes/1).
nlohmann::json to_json(const Mode& mode);
// Every mode: {"format": "tunfwd-modes/1", "modes": [...]}.
nlohmann::json registry_json();

}  // namespace forward

#include "forward/registry.h"

#include <array>

#include <nlohmann/json.hpp>

#include "forward/modes/async_channel_forwarder.h"
#include "forward/modes/async_forwarder.h"
#include "forward/modes/sync_batch_forwarder.h"
#include "forward/modes/sync_channel_forwarder.h"
#include "forward/modes/sync_forwarder.h"
#include "forward/modes/sync_gso_channel_forwarder.h"

namespace forward {

namespace {

// Every mode class is built from the setup and its own registry entry, which it reads for its
// shape (offload, pool, framed, passthrough): the facts are written once, below.
template <class F>
std::unique_ptr<Forwarder> make(const Setup& setup, const Mode& mode) {
  return std::make_unique<F>(setup, mode);
}

// The per-packet event-loop modes make a system call per packet, nearly all of their CPU: one
// loop per direction, unpinned, forwarded 0.160-0.164 of veth where one loop pinned to a CPU did
// 0.074-0.10, and tun-rs's 2-worker runtime 0.12-0.145 (same run, AMD EPYC, README "Threads"). The
// offload modes do little per packet and gain more from staying beside the data on one CPU.
constexpr std::array kModes{
    Mode{.name = "async-normal",
         .description = "event loop, one task per direction, no offload, no channel",
         .async = true,
         .loop_per_direction = true,
         .pin_by_default = false,
         .reference_row = 1,
         .make = make<AsyncForwarder>},
    Mode{.name = "async-normal-channel",
         .description = "event loop, reader and writer tasks joined by a 2048-entry channel, no offload",
         .channel = true,
         .async = true,
         .loop_per_direction = true,
         .pin_by_default = false,
         .reference_row = 2,
         .make = make<AsyncChannelForwarder>},
    Mode{.name = "async-framed",
         .description = "event loop, framed reader/writer (feed a batch, then flush) over a channel, no offload",
         .channel = true,
         .framed = true,
         .async = true,
         .loop_per_direction = true,
         .pin_by_default = false,
         .reference_row = 3,
         .make = make<AsyncChannelForwarder>},
    Mode{.name = "async-gso",
         .description = "event loop, one task per direction, vnet offload: GSO split on read, GRO on write",
         .offload = true,
         .async = true,
         .reference_row = 4,
         .make = make<AsyncForwarder>},
    Mode{.name = "async-gso-channel",
         .description = "event loop, offload, reader and writer tasks joined by a 2048-entry channel",
         .offload = true,
         .channel = true,
         .async = true,
         .reference_row = 5,
         .make = make<AsyncChannelForwarder>},
    Mode{.name = "async-gso-channel-pool",
         .description = "async-gso-channel with buffers recycled through a pool",
         .offload = true,
         .channel = true,
         .pool = true,
         .async = true,
         .reference_row = 6,
         .make = make<AsyncChannelForwarder>},
    Mode{.name = "async-gso-framed",
         .description = "event loop, offload, framed reader/writer (feed a batch, then flush) over a channel",
         .offload = true,
         .channel = true,
         .framed = true,
         .async = true,
         .reference_row = 7,
         .make = make<AsyncChannelForwarder>},
    // A system call costs about 1 us on the test VMs (982 ns for getppid, AMD EPYC), and a
    // thread reading and writing one packet per call spends much of its CPU entering the kernel.
    // So sync-normal, a blocking thread per direction with every packet read and written whole,
    // reads a batch with one io_uring_enter and writes it with another (device::UringQueue):
    // 0.240 of veth against 0.127 with a call per packet and tun-rs's 0.144 (same run, 6 passes,
    // AMD EPYC). Unpinned, as the threads of a per-packet mode need both CPUs (pinned 0.110).
    Mode{.name = "sync-normal",
         .description = "blocking thread per direction, no offload; a batch of reads and a batch of writes are one "
                        "io_uring_enter each",
         .uring = true,
         .pin_by_default = false,
         .reference_row = 8,
         .make = make<SyncBatchForwarder>},
    // The reference's own program: one read and one write system call per packet. Unpinned 0.212
    // of veth at 105 % CPU, pinned 0.172 at 92 % (tunbench run, 3 passes, Intel Xeon VM).
    Mode{.name = "sync-normal-syscall",
         .description = "blocking thread per direction, one read and one write system call per packet, no offload",
         .pin_by_default = false,
         .make = make<SyncForwarder>},
    // Four threads making a system call per packet, likewise: unpinned 0.085 of veth at 152 % CPU,
    // pinned 0.045 at 98 %, tun-rs's twin 0.057 (same run, 3 passes, AMD EPYC VM).
    Mode{.name = "sync-normal-channel",
         .description = "blocking reader and writer threads per direction joined by a 2048-entry channel",
         .channel = true,
         .pin_by_default = false,
         .reference_row = 9,
         .make = make<SyncChannelForwarder>},
    Mode{.name = "sync-gso",
         .description = "blocking thread per direction, batches, offload: GSO split on read, GRO on write",
         .offload = true,
         .reference_row = 10,
         .make = make<SyncBatchForwarder>},
    Mode{.name = "sync-gso-channel",
         .description = "sync-gso with reader and writer threads joined by a 2048-entry channel",
         .offload = true,
         .channel = true,
         .reference_row = 11,
         .make = make<SyncGsoChannelForwarder>},
    // The reference runs two threads per direction on one single-queue device, unordered: its
    // receiver retransmits. The same shape with the order kept (reads in turn, writes in read
    // order) measured 0.437 of veth against sync-gso's 0.696, the hand-offs costing two wake-ups
    // per batch (tunbench run, 3 passes, AMD EPYC VM, 2026-12-02); so ours spreads flows over
    // two queues, one thread per queue and direction, and never reorders.
    Mode{.name = "sync-gso-concurrent",
         .description = "sync-gso on a 2-queue TUN: two threads per direction, one per queue",
         .offload = true,
         .queues = 2,
         .reference_row = 12,
         .make = make<SyncBatchForwarder>},
    Mode{.name = "passthrough",
         .description = "offload; super-packets forwarded whole with their virtio header when both sides granted "
                        "the same offloads (validated), else split and coalesced",
         .offload = true,
         .passthrough = true,
         .make = make<SyncBatchForwarder>},
    Mode{.name = "passthrough-mq",
         .description = "passthrough on a multi-queue TUN: one thread per direction per queue (--queues, default 2)",
         .offload = true,
         .passthrough = true,
         .queues = 0,
         .make = make<SyncBatchForwarder>},
    Mode{.name = "passthrough-async",
         .description = "passthrough with both directions on one event-loop thread (no thread hand-offs)",
         .offload = true,
         .passthrough = true,
         .async = true,
         .make = make<AsyncForwarder>},
};

// The implications the field comments state, checked where the table is written.
constexpr bool consistent(const Mode& m) {
  return !m.name.empty() && !m.description.empty() && (!m.passthrough || m.offload) && (!m.pool || m.channel) &&
         (!m.framed || m.channel) && (!m.loop_per_direction || (m.async && !m.pin_by_default)) &&
         (!m.uring || (!m.async && !m.channel)) && m.reference_row >= 0;
}
static_assert([] {
  for (const auto& m : kModes)
    if (!consistent(m)) return false;
  return true;
}());

}  // namespace

std::span<const Mode> modes() { return kModes; }

const Mode* find_mode(std::string_view name) {
  for (const auto& m : kModes)
    if (m.name == name) return &m;
  return nullptr;
}

std::size_t queues_for(const Mode& mode, std::size_t flag) {
  if (mode.queues != 0) return mode.queues;
  return flag != 0 ? flag : kDefaultQueues;
}

nlohmann::json to_json(const Mode& m) {
  nlohmann::json j = {{"name", m.name},
                      {"description", m.description},
                      {"offload", m.offload},
                      {"passthrough", m.passthrough},
                      {"channel", m.channel},
                      {"pool", m.pool},
                      {"framed", m.framed},
                      {"async", m.async},
                      {"uring", m.uring},
                      {"loop_per_direction", m.loop_per_direction},
                      {"queues", m.queues == 0 ? nlohmann::json("flag") : nlohmann::json(m.queues)},
                      {"pin_by_default", m.pin_by_default}};
  j["reference_row"] = m.reference_row == 0 ? nlohmann::json() : nlohmann::json(m.reference_row);
  return j;
}

nlohmann::json registry_json() {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& m : kModes) list.push_back(to_json(m));
  return {{"format", "tunfwd-modes/1"}, {"default_queues", kDefaultQueues}, {"modes", list}};
}

}  // namespace forward

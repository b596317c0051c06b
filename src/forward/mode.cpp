#include "forward/mode.h"

#include <vector>

#include "forward/async_channel_forwarder.h"
#include "forward/async_forwarder.h"
#include "forward/sync_batch_forwarder.h"
#include "forward/sync_channel_forwarder.h"
#include "forward/sync_forwarder.h"
#include "forward/sync_gso_channel_forwarder.h"

namespace forward {

namespace {

template <class F, class... A>
std::function<std::unique_ptr<Forwarder>(const Setup&)> factory(A... args) {
  return [=](const Setup& s) -> std::unique_ptr<Forwarder> { return std::make_unique<F>(s, args...); };
}

std::vector<Mode> build() {
  using ACF = AsyncChannelForwarder;
  return {
      {"async-normal", "event loop, one task per direction, no offload, no channel", false, 1, true,
       factory<AsyncForwarder>()},
      {"async-normal-channel", "event loop, reader and writer tasks joined by a 2048-entry channel, no offload",
       false, 1, true, factory<ACF>(ChannelShape{false, false})},
      {"async-framed", "event loop, framed reader/writer (feed a batch, then flush) over a channel, no offload",
       false, 1, true, factory<ACF>(ChannelShape{false, true})},
      {"async-gso", "event loop, one task per direction, vnet offload: GSO split on read, GRO on write", true, 1,
       true, factory<AsyncForwarder>()},
      {"async-gso-channel", "event loop, offload, reader and writer tasks joined by a 2048-entry channel", true, 1,
       true, factory<ACF>(ChannelShape{false, false})},
      {"async-gso-channel-pool", "async-gso-channel with buffers recycled through a pool", true, 1, true,
       factory<ACF>(ChannelShape{true, false})},
      {"async-gso-framed", "event loop, offload, framed reader/writer (feed a batch, then flush) over a channel",
       true, 1, true, factory<ACF>(ChannelShape{false, true})},
      // Two threads each making a syscall per packet need both CPUs: unpinned 0.212 of veth at
      // 105 % CPU, pinned 0.172 at 92 % (tunbench run, 3 passes). Every other mode gains from pinning.
      {"sync-normal", "blocking thread per direction, one packet per read/write, no offload", false, 1, false,
       factory<SyncForwarder>(), false},
      {"sync-normal-channel", "blocking reader and writer threads per direction joined by a 2048-entry channel",
       false, 1, false, factory<SyncChannelForwarder>()},
      {"sync-gso", "blocking thread per direction, batches, offload: GSO split on read, GRO on write", true, 1,
       false, factory<SyncBatchForwarder>(false)},
      {"sync-gso-channel", "sync-gso with reader and writer threads joined by a 2048-entry channel", true, 1, false,
       factory<SyncGsoChannelForwarder>()},
      {"sync-gso-concurrent", "sync-gso on a 2-queue TUN: two threads per direction, one per queue", true, 2,
       false, factory<SyncBatchForwarder>(false)},
      {"passthrough", "offload; super-packets forwarded whole with their virtio header when both sides granted the "
                      "same offloads (validated), else split and coalesced",
       true, 1, false, factory<SyncBatchForwarder>(true)},
      {"passthrough-mq", "passthrough on a multi-queue TUN: one thread per direction per queue (--queues, default 2)",
       true, 0, false, factory<SyncBatchForwarder>(true)},
      {"passthrough-async", "passthrough with both directions on one event-loop thread (no thread hand-offs)",
       true, 1, true, factory<AsyncForwarder>(true)},
  };
}

}  // namespace

std::span<const Mode> modes() {
  static const std::vector<Mode> all = build();
  return all;
}

const Mode* find_mode(std::string_view name) {
  for (const auto& m : modes())
    if (m.name == name) return &m;
  return nullptr;
}

std::size_t queues_for(const Mode& mode, std::size_t flag) {
  if (mode.queues != 0) return mode.queues;
  return flag != 0 ? flag : kDefaultQueues;
}

}  // namespace forward

#pragma once
// BatchDevice over a packet-preserving fd (a TUN queue) through io_uring: a batch of reads is
// one io_uring_enter, a batch of writes another, where FdQueue makes a system call per packet.
// Why: a system call costs about 1 us on the test VMs (982 ns for getppid on the AMD EPYC VM),
// and a per-packet forwarder makes two per packet, so entering the kernel was a fixed share of
// every packet's cost that batching removes; the kernel's work per packet stays the same.
//
// Reads: the first read of a batch waits (io_uring arms poll while the queue is empty); the
// others carry RWF_NOWAIT and end at once with EAGAIN when nothing more is queued. Packets are
// returned in the order their reads completed, which is the order the kernel dequeued them.
// How many reads a batch asks for follows the last batch (twice its packets, at least 2, at
// most what the caller offers): a read that finds the queue empty costs kernel time.
// Writes: linked, so they run in order and a refused one cancels the rest, as FdQueue's
// send_batch stops at the first refused packet.
// Every call returns only once all its requests have completed or been cancelled: no request
// outlives the buffers it was handed. interrupt() (FdQueue's) ends a waiting call with
// ECANCELED.
//
// Each of the two calls uses its own ring, set up by the thread that makes it (and again when
// another thread does; IORING_SETUP_SINGLE_ISSUER | DEFER_TASKRUN where the kernel has them):
// a forwarder reads a device on one thread and writes it on another. The PacketDevice calls
// stay FdQueue's.
#include <cstddef>
#include <memory>
#include <span>
#include <string>

#include "device/fd_queue.h"

namespace device {

class UringQueue : public FdQueue {
 public:
  // Takes ownership of `fd` (a dup of a TunQueue's fd, say). Throws std::system_error if its
  // flags cannot be set; a ring that cannot be set up throws on first use.
  UringQueue(UniqueFd fd, Offloads offloads);
  ~UringQueue() override;
  UringQueue(const UringQueue&) = delete;
  UringQueue& operator=(const UringQueue&) = delete;

  IoResult recv_batch(std::span<Packet> packets) override;
  IoResult send_batch(std::span<const OutPacket> packets) override;

  // Empty when this process can set up an io_uring ring; else why not ("io_uring_queue_init:
  // Operation not permitted"): kernel.io_uring_disabled, or a seccomp filter such as a container
  // runtime's default one. Callers fall back to FdQueue.
  static std::string unavailable();

  // Requests per submission, and so the largest read batch (a send batch is cut into chunks).
  static constexpr unsigned kRingEntries = 64;

 private:
  struct Ring;
  static Ring& ring(std::unique_ptr<Ring>& slot, std::size_t iovs_per_request);
  // Submits the n requests prepared on `r` and waits, interruptibly, until all have completed
  // (their results in r.results, their order in r.order): 0, or -errno once every request has
  // been cancelled and has completed.
  long complete(Ring& r, std::size_t n, short events);

  std::unique_ptr<Ring> read_ring_;
  std::unique_ptr<Ring> write_ring_;
  std::size_t reads_wanted_ = 2;
};

}  // namespace device

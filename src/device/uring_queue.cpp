#include "device/uring_queue.h"

#include <liburing.h>
#include <poll.h>
#include <sys/uio.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <system_error>
#include <thread>
#include <vector>

#include "device/packet_io.h"

namespace device {

// One ring and the storage its requests point into while they are in flight.
struct UringQueue::Ring {
  io_uring ring{};
  std::thread::id owner = std::this_thread::get_id();
  // Per request: its vnet header and its iovecs (header, packet and, for writes, pieces).
  std::vector<std::array<std::uint8_t, vnet::kHeaderSize>> headers;
  std::size_t iovs_per_request;
  std::vector<iovec> iovs;
  // Per request, by user_data: its result once its completion was reaped.
  std::vector<int> results;
  // user_data of the reaped completions, in the order they completed.
  std::vector<std::uint32_t> order;

  explicit Ring(std::size_t iovs_each)
      : headers(kRingEntries), iovs_per_request(iovs_each), iovs(kRingEntries * iovs_each), results(kRingEntries) {
    order.reserve(kRingEntries);
    io_uring_params p{};
    // The submitting thread is the only one, and it reaps completions only when it waits for
    // them: no task-work interrupts while it runs (kernel >= 6.1; plain ring otherwise).
    p.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
    // Room for a batch and the cancel that may follow it.
    int rc = io_uring_queue_init_params(2 * kRingEntries, &ring, &p);
    if (rc == -EINVAL) {
      p = {};
      rc = io_uring_queue_init_params(2 * kRingEntries, &ring, &p);
    }
    if (rc < 0) throw std::system_error(-rc, std::generic_category(), "io_uring_queue_init");
  }
  ~Ring() { io_uring_queue_exit(&ring); }
  Ring(const Ring&) = delete;
  Ring& operator=(const Ring&) = delete;

  iovec* iov(std::size_t request) { return iovs.data() + request * iovs_per_request; }

  io_uring_sqe* sqe() {
    io_uring_sqe* s = io_uring_get_sqe(&ring);
    // Never more requests than entries are prepared between two submissions.
    if (s == nullptr) throw std::logic_error("io_uring submission queue full");
    return s;
  }

  // Takes every completion that is there, recording results and completion order.
  void reap() {
    io_uring_cqe* cqe = nullptr;
    while (io_uring_peek_cqe(&ring, &cqe) == 0) {
      const auto id = static_cast<std::uint32_t>(io_uring_cqe_get_data64(cqe));
      if (id < results.size()) {
        results[id] = cqe->res;
        order.push_back(id);
      }
      io_uring_cqe_seen(&ring, cqe);
    }
  }

  // After an interrupted wait: cancels what is still in flight and waits, without being
  // interruptible, until `in_flight` requests (and the cancel itself) have completed, so no
  // request outlives the caller's buffers.
  void cancel_all(std::size_t in_flight) {
    reap();
    std::size_t done = order.size();
    io_uring_sqe* s = sqe();
    io_uring_prep_cancel64(s, 0, IORING_ASYNC_CANCEL_ANY);
    io_uring_sqe_set_data64(s, kCancelId);
    for (bool submitted = false; done < in_flight || !submitted;) {
      const int rc = submitted ? io_uring_submit_and_wait(&ring, 1) : io_uring_submit(&ring);
      if (rc >= 0) submitted = true;
      io_uring_cqe* cqe = nullptr;
      while (io_uring_peek_cqe(&ring, &cqe) == 0) {
        if (io_uring_cqe_get_data64(cqe) != kCancelId) ++done;
        io_uring_cqe_seen(&ring, cqe);
      }
    }
  }

  static constexpr std::uint64_t kCancelId = ~std::uint64_t{0};
};

UringQueue::UringQueue(UniqueFd fd, Offloads offloads) : FdQueue(std::move(fd), offloads) {}

std::string UringQueue::unavailable() {
  io_uring probe{};
  const int rc = io_uring_queue_init(2, &probe, 0);
  if (rc < 0) return std::string("io_uring_queue_init: ") + std::strerror(-rc);
  io_uring_queue_exit(&probe);
  return {};
}

UringQueue::~UringQueue() = default;

UringQueue::Ring& UringQueue::ring(std::unique_ptr<Ring>& slot, std::size_t iovs_per_request) {
  // A ring takes submissions from the thread that set it up only: another thread gets its own
  // (nothing is in flight between two calls, so the old one can go).
  if (!slot || slot->owner != std::this_thread::get_id()) {
    slot.reset();
    slot = std::make_unique<Ring>(iovs_per_request);
  }
  return *slot;
}

long UringQueue::complete(Ring& r, std::size_t n, short events) {
  r.order.clear();
  std::fill_n(r.results.begin(), n, -ECANCELED);
  // Submitting does not wait; the wait is a call of its own, so that a signal ends it with
  // EINTR (io_uring_enter reports the submitted count, not EINTR, when it did both).
  long rc = io_uring_submit(&r.ring);
  while (rc >= 0) {
    r.reap();
    if (r.order.size() >= n) return 0;
    const auto missing = static_cast<unsigned>(n - r.order.size());
    rc = blocking_call(events, [&]() -> long {
      io_uring_cqe* cqe = nullptr;
      return io_uring_wait_cqe_nr(&r.ring, &cqe, missing);
    });
  }
  r.cancel_all(n);
  return rc;
}

IoResult UringQueue::recv_batch(std::span<Packet> packets) {
  if (packets.empty()) return {};
  Ring& r = ring(read_ring_, 2);
  const bool vnet_hdr = offloads().vnet_hdr;
  const std::size_t n = std::min({packets.size(), reads_wanted_, std::size_t{kRingEntries}});
  for (std::size_t i = 0; i < n; ++i) {
    iovec* iov = r.iov(i);
    unsigned n_iov = 0;
    if (vnet_hdr) iov[n_iov++] = {r.headers[i].data(), r.headers[i].size()};
    iov[n_iov++] = {packets[i].buffer.data(), packets[i].buffer.size()};
    io_uring_sqe* s = r.sqe();
    // The first read waits for a packet; the others take only what is already queued.
    io_uring_prep_readv2(s, fd(), iov, n_iov, -1, i == 0 ? 0 : RWF_NOWAIT);
    io_uring_sqe_set_data64(s, i);
  }
  const long rc = complete(r, n, POLLIN);
  if (rc < 0) return {0, static_cast<int>(-rc)};

  // Packets in completion order, then the slots that got none. A failed read does not discard
  // the packets other reads got; the first failure is reported with them.
  std::array<Packet, kRingEntries> got{};
  std::array<bool, kRingEntries> used{};
  std::size_t count = 0;
  int error = 0;
  for (const std::uint32_t id : r.order) {
    const int res = r.results[id];
    if (res == -EAGAIN) continue;
    long length = res;
    if (res == 0) length = -EPIPE;  // a socket peer's EOF; a TUN never reads empty
    Packet p = packets[id];
    p.vnet = {};
    if (res > 0 && vnet_hdr) {
      length = static_cast<std::size_t>(res) < vnet::kHeaderSize ? -EBADMSG : res - long{vnet::kHeaderSize};
      p.vnet = vnet::decode(r.headers[id]);
    }
    // A TUN read asleep when its device is deleted ends with EFAULT; a plain read says what
    // happened (EBADFD), as FdQueue does (or reads a packet after all).
    if (length == -EFAULT) length = read_packet(fd(), vnet_hdr, p.buffer, &p.vnet, Wait::kNever);
    if (length < 0) {
      if (error == 0) error = static_cast<int>(-length);
      continue;
    }
    p.length = static_cast<std::size_t>(length);
    got[count++] = p;
    used[id] = true;
  }
  std::size_t next = count;
  for (std::size_t i = 0; i < n; ++i)
    if (!used[i]) got[next++] = packets[i];
  std::copy_n(got.begin(), n, packets.begin());
  reads_wanted_ = std::clamp<std::size_t>(2 * count, 2, kRingEntries);
  return {count, error};
}

IoResult UringQueue::send_batch(std::span<const OutPacket> packets) {
  if (packets.empty()) return {};
  Ring& r = ring(write_ring_, 2 + kMaxOutPieces);
  const bool vnet_hdr = offloads().vnet_hdr;
  std::size_t done = 0;
  while (done < packets.size()) {
    const auto chunk = packets.subspan(done, std::min<std::size_t>(packets.size() - done, kRingEntries));
    std::array<io_uring_sqe*, kRingEntries> sqes{};
    std::size_t n = 0;
    int refused = 0;
    for (; n < chunk.size(); ++n) {
      const OutPacket& p = chunk[n];
      if (p.more.size() > kMaxOutPieces) {
        refused = EMSGSIZE;
        break;
      }
      iovec* iov = r.iov(n);
      unsigned n_iov = 0;
      if (vnet_hdr) {
        vnet::encode(p.vnet, r.headers[n]);
        iov[n_iov++] = {r.headers[n].data(), r.headers[n].size()};
      }
      // writev never writes through iov_base; the casts only satisfy the C struct.
      iov[n_iov++] = {const_cast<std::uint8_t*>(p.bytes.data()), p.bytes.size()};
      for (const auto& piece : p.more) iov[n_iov++] = {const_cast<std::uint8_t*>(piece.data()), piece.size()};
      sqes[n] = r.sqe();
      io_uring_prep_writev(sqes[n], fd(), iov, n_iov, -1);
      io_uring_sqe_set_data64(sqes[n], n);
    }
    // Linked: each write starts once the one before it succeeded; a failure cancels the rest.
    // (Set afterwards: the chunk's last request must not link into the next submission.)
    for (std::size_t i = 0; i + 1 < n; ++i) sqes[i]->flags |= IOSQE_IO_LINK;
    if (n != 0) {
      const long rc = complete(r, n, POLLOUT);
      if (rc < 0) return {done, static_cast<int>(-rc)};
      for (std::size_t i = 0; i < n; ++i) {
        if (r.results[i] < 0) return {done, -r.results[i]};
        ++done;
      }
    }
    if (refused != 0) return {done, refused};
  }
  return {done, 0};
}

}  // namespace device

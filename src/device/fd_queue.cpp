#include "device/fd_queue.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>

#include <cerrno>
#include <chrono>
#include <system_error>
#include <thread>
#include <type_traits>

#include "device/packet_io.h"

namespace device {

namespace {

void set_blocking(int fd) {
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0) {
    throw std::system_error(errno, std::generic_category(), "fcntl ~O_NONBLOCK");
  }
}

// The signal that ends a blocking call of an interrupted queue (EINTR). A real-time signal no
// other part of tunbench uses; its handler does nothing, and it is installed without
// SA_RESTART so that the call returns instead of resuming.
int wake_signal() {
  static const int signal = [] {
    const int sig = SIGRTMIN + 7;
    struct sigaction sa {};
    sa.sa_handler = [](int) {};
    sigemptyset(&sa.sa_mask);
    if (::sigaction(sig, &sa, nullptr) != 0) throw std::system_error(errno, std::generic_category(), "sigaction");
    return sig;
  }();
  return signal;
}

// tunfwd blocks every signal but this one in its forwarding threads (the stop signals go to
// one thread): each thread that blocks in a queue makes sure it can be woken.
void accept_wake_signal() {
  thread_local bool accepted = false;
  if (accepted) return;
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, wake_signal());
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
  accepted = true;
}

static_assert(std::is_same_v<pthread_t, unsigned long>, "blocked_ holds pthread_t values");

}  // namespace

FdQueue::FdQueue(UniqueFd fd, Offloads offloads) : fd_(std::move(fd)), offloads_(offloads) {
  set_blocking(fd_.get());
  wake_signal();  // installed before any thread can block
}

template <class Call>
long FdQueue::blocking(short events, Call call) {
  accept_wake_signal();
  const pthread_t self = ::pthread_self();
  std::size_t slot = 0;
  for (;; slot = (slot + 1) % kMaxBlocked) {
    unsigned long free = 0;
    if (blocked_[slot].compare_exchange_strong(free, self)) break;
  }
  long n = 0;
  // Registered first, then the flag checked: interrupt() sets the flag first, then looks at
  // the slots, so either this thread sees the flag or interrupt() sees this thread.
  for (;;) {
    if (interrupted_.load()) {
      n = -ECANCELED;
      break;
    }
    n = call();
    if (n == -EAGAIN) {
      // The fd is shared with a view that made it non-blocking (an Asio descriptor over a dup
      // sets O_NONBLOCK on the open file): wait for readiness instead, woken the same way.
      pollfd p{fd_.get(), events, 0};
      ::poll(&p, 1, -1);
      continue;
    }
    if (n != -EINTR) break;
  }
  blocked_[slot].store(0);
  return n;
}

long FdQueue::blocking_call(short events, const std::function<long()>& call) { return blocking(events, call); }

void FdQueue::interrupt() {
  interrupted_.store(true);
  // A thread may take the signal just before it enters its system call (the handler runs, the
  // call then sleeps): knock again until every registered thread has left.
  const int sig = wake_signal();
  for (int round = 0; round < 20000; ++round) {
    bool any = false;
    for (auto& b : blocked_) {
      const unsigned long t = b.load();
      if (t == 0) continue;
      any = true;
      ::pthread_kill(t, sig);
    }
    if (!any) return;
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
}

IoResult FdQueue::read_one(std::span<std::uint8_t> buffer, vnet::VnetHeader* header) {
  long n =
      blocking(POLLIN, [&] { return read_packet(fd_.get(), offloads_.vnet_hdr, buffer, header, Wait::kUntilSignal); });
  // A TUN read asleep when its device is deleted wakes with EFAULT (the queue is shut down
  // under it); the next read says what happened: EBADFD, the device is gone.
  if (n == -EFAULT) n = read_packet(fd_.get(), offloads_.vnet_hdr, buffer, header, Wait::kNever);
  if (n >= 0) return {static_cast<std::size_t>(n), 0};
  return {0, static_cast<int>(-n)};
}

IoResult FdQueue::write_one(std::span<const std::uint8_t> bytes, const vnet::VnetHeader& header,
                            std::span<const std::span<const std::uint8_t>> more) {
  const long n = blocking(
      POLLOUT, [&] { return write_packet(fd_.get(), offloads_.vnet_hdr, bytes, header, Wait::kUntilSignal, more); });
  if (n >= 0) return {static_cast<std::size_t>(n), 0};
  return {0, static_cast<int>(-n)};
}

IoResult FdQueue::read(std::span<std::uint8_t> buffer) { return read_one(buffer, nullptr); }

IoResult FdQueue::write(std::span<const std::uint8_t> packet) { return write_one(packet, {}); }

IoResult FdQueue::recv_batch(std::span<Packet> packets) {
  if (packets.empty()) return {};
  IoResult first = read_one(packets[0].buffer, &packets[0].vnet);
  if (!first.ok()) return first;
  packets[0].length = first.count;
  std::size_t count = 1;
  // Drain what is already queued without blocking: the batch is as big as the backlog.
  while (count < packets.size()) {
    Packet& p = packets[count];
    const long n = read_packet(fd_.get(), offloads_.vnet_hdr, p.buffer, &p.vnet, Wait::kNever);
    if (n == -EAGAIN) break;
    if (n < 0) return {count, static_cast<int>(-n)};
    p.length = static_cast<std::size_t>(n);
    ++count;
  }
  return {count, 0};
}

IoResult FdQueue::send_batch(std::span<const OutPacket> packets) {
  std::size_t done = 0;
  for (const OutPacket& p : packets) {
    const IoResult r = write_one(p.bytes, p.vnet, p.more);
    if (!r.ok()) return {done, r.error};
    ++done;
  }
  return {done, 0};
}

}  // namespace device

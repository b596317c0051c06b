#include "device/fd_queue.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <system_error>

#include "device/packet_io.h"

namespace device {

namespace {
void set_nonblocking(int fd) {
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
    throw std::system_error(errno, std::generic_category(), "fcntl O_NONBLOCK");
  }
}
}  // namespace

FdQueue::FdQueue(UniqueFd fd, Offloads offloads)
    : fd_(std::move(fd)), wake_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)), offloads_(offloads) {
  if (!wake_.valid()) throw std::system_error(errno, std::generic_category(), "eventfd");
  set_nonblocking(fd_.get());
}

void FdQueue::interrupt() {
  interrupted_.store(true, std::memory_order_release);
  // The counter is never read back, so the eventfd stays readable and wakes every poll.
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto n = ::write(wake_.get(), &one, sizeof one);
}

int FdQueue::wait(short events) {
  for (;;) {
    if (interrupted_.load(std::memory_order_acquire)) return ECANCELED;
    std::array<pollfd, 2> fds{{{fd_.get(), events, 0}, {wake_.get(), POLLIN, 0}}};
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (fds[1].revents != 0) return ECANCELED;
    if (fds[0].revents & POLLNVAL) return EBADF;
    // POLLERR/POLLHUP: let the next read/write report the actual errno (or EOF).
    if (fds[0].revents != 0) return 0;
  }
}

IoResult FdQueue::read_one(std::span<std::uint8_t> buffer, vnet::VnetHeader* header) {
  for (;;) {
    if (interrupted_.load(std::memory_order_acquire)) return {0, ECANCELED};
    const long n = read_packet(fd_.get(), offloads_.vnet_hdr, buffer, header);
    if (n >= 0) return {static_cast<std::size_t>(n), 0};
    if (n != -EAGAIN) return {0, static_cast<int>(-n)};
    if (const int err = wait(POLLIN)) return {0, err};
  }
}

IoResult FdQueue::write_one(std::span<const std::uint8_t> bytes, const vnet::VnetHeader& header) {
  for (;;) {
    if (interrupted_.load(std::memory_order_acquire)) return {0, ECANCELED};
    const long n = write_packet(fd_.get(), offloads_.vnet_hdr, bytes, header);
    if (n >= 0) return {static_cast<std::size_t>(n), 0};
    // Only a full queue is waited out; EINVAL/ENOBUFS/EIO... are the caller's to count.
    if (n != -EAGAIN) return {0, static_cast<int>(-n)};
    if (const int err = wait(POLLOUT)) return {0, err};
  }
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
    const long n = read_packet(fd_.get(), offloads_.vnet_hdr, p.buffer, &p.vnet);
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
    const IoResult r = write_one(p.bytes, p.vnet);
    if (!r.ok()) return {done, r.error};
    ++done;
  }
  return {done, 0};
}

}  // namespace device

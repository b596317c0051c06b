#include "device/packet_io.h"

#include <sys/uio.h>
#include <unistd.h>

#include <array>
#include <cerrno>

namespace device {

namespace {

// One buffer and no flag: read(2)/write(2), the cheapest path per packet (the kernel takes the
// buffer as it is; preadv2/pwritev2 first copy and check the iovec array: 1-2 % of a per-packet
// mode's CPU, which is almost all system calls).
bool plain(bool vnet_hdr, Wait wait) { return !vnet_hdr && wait != Wait::kNever; }

// A call interrupted by a signal is made again, unless the caller waits for exactly that.
template <class Call>
ssize_t retrying(Wait wait, Call call) {
  ssize_t n;
  do {
    n = call();
  } while (n < 0 && errno == EINTR && wait != Wait::kUntilSignal);
  return n;
}

}  // namespace

long read_packet(int fd, bool vnet_hdr, std::span<std::uint8_t> buffer, vnet::VnetHeader* header, Wait wait) {
  std::array<std::uint8_t, vnet::kHeaderSize> hdr{};
  std::array<iovec, 2> iov{};
  int n_iov = 0;
  // readv keeps header and packet in separate buffers: no copy to strip the header.
  if (vnet_hdr) iov[n_iov++] = {hdr.data(), hdr.size()};
  iov[n_iov++] = {buffer.data(), buffer.size()};
  const int flags = wait == Wait::kNever ? RWF_NOWAIT : 0;
  const ssize_t n = plain(vnet_hdr, wait) ? retrying(wait, [&] { return ::read(fd, buffer.data(), buffer.size()); })
                                          : retrying(wait, [&] { return ::preadv2(fd, iov.data(), n_iov, -1, flags); });
  if (n < 0) return -errno;
  if (n == 0) return -EPIPE;
  if (header) *header = {};
  if (!vnet_hdr) return n;
  if (static_cast<std::size_t>(n) < vnet::kHeaderSize) return -EBADMSG;
  if (header) *header = vnet::decode(hdr);
  return n - static_cast<long>(vnet::kHeaderSize);
}

long write_packet(int fd, bool vnet_hdr, std::span<const std::uint8_t> bytes, const vnet::VnetHeader& header, Wait wait,
                  std::span<const std::span<const std::uint8_t>> more) {
  if (more.size() > kMaxOutPieces) return -EMSGSIZE;
  std::array<std::uint8_t, vnet::kHeaderSize> hdr{};
  std::array<iovec, 2 + kMaxOutPieces> iov{};
  int n_iov = 0;
  if (vnet_hdr) {
    vnet::encode(header, hdr);
    iov[n_iov++] = {hdr.data(), hdr.size()};
  }
  // writev never writes through iov_base; the casts only satisfy the C struct.
  iov[n_iov++] = {const_cast<std::uint8_t*>(bytes.data()), bytes.size()};
  for (const auto& piece : more) iov[n_iov++] = {const_cast<std::uint8_t*>(piece.data()), piece.size()};
  const int flags = wait == Wait::kNever ? RWF_NOWAIT : 0;
  const ssize_t n = plain(vnet_hdr, wait) && more.empty()
                        ? retrying(wait, [&] { return ::write(fd, bytes.data(), bytes.size()); })
                        : retrying(wait, [&] { return ::pwritev2(fd, iov.data(), n_iov, -1, flags); });
  if (n < 0) return -errno;
  return vnet_hdr ? n - static_cast<long>(vnet::kHeaderSize) : n;
}

}  // namespace device

#include "device/async_tun_device.h"

#include <cerrno>

#include <boost/asio/post.hpp>

#include "device/packet_io.h"

namespace device {

namespace {

int to_errno(const boost::system::error_code& ec) {
  if (ec == boost::asio::error::operation_aborted) return ECANCELED;
  return ec.value() != 0 ? ec.value() : EIO;
}

}  // namespace

AsyncTunDevice::AsyncTunDevice(const boost::asio::any_io_executor& executor, UniqueFd fd, Offloads offloads)
    : descriptor_(executor), offloads_(offloads) {
  descriptor_.assign(fd.release());
  descriptor_.non_blocking(true);
}

void AsyncTunDevice::cancel() {
  boost::system::error_code ignored;
  descriptor_.cancel(ignored);
}

void AsyncTunDevice::async_recv_batch(std::span<Packet> packets, Handler handler) {
  if (packets.empty()) {
    boost::asio::post(descriptor_.get_executor(), [h = std::move(handler)] { h(IoResult{}); });
    return;
  }
  descriptor_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                         [this, packets, h = std::move(handler)](const boost::system::error_code& ec) mutable {
                           // On error `this` may already be destroyed (destruction cancels): touch only `h`.
                           if (ec) return h(IoResult{0, to_errno(ec)});
                           const int fd = descriptor_.native_handle();
                           std::size_t count = 0;
                           while (count < packets.size()) {
                             const long n =
                                 read_packet(fd, offloads_.vnet_hdr, packets[count].buffer, &packets[count].vnet);
                             if (n == -EAGAIN) break;
                             if (n < 0) return h(IoResult{count, static_cast<int>(-n)});
                             packets[count].length = static_cast<std::size_t>(n);
                             ++count;
                           }
                           // Readiness without data (another reader was faster): wait again.
                           if (count == 0) return async_recv_batch(packets, std::move(h));
                           h(IoResult{count, 0});
                         });
}

void AsyncTunDevice::async_send_batch(std::span<const OutPacket> packets, Handler handler) {
  // Try at once (a TUN is almost always writable) but complete through the executor, so the
  // handler never runs inside the initiating call.
  send_from(packets, 0, std::move(handler));
}

void AsyncTunDevice::send_from(std::span<const OutPacket> packets, std::size_t done, Handler handler) {
  const int fd = descriptor_.native_handle();
  while (done < packets.size()) {
    const OutPacket& p = packets[done];
    const long n = write_packet(fd, offloads_.vnet_hdr, p.bytes, p.vnet, Wait::kAsTheFdSays, p.more);
    if (n == -EAGAIN) {
      descriptor_.async_wait(
          boost::asio::posix::stream_descriptor::wait_write,
          [this, packets, done, h = std::move(handler)](const boost::system::error_code& ec) mutable {
            if (ec) return h(IoResult{done, to_errno(ec)});
            send_from(packets, done, std::move(h));
          });
      return;
    }
    if (n < 0) {
      const IoResult r{done, static_cast<int>(-n)};
      boost::asio::post(descriptor_.get_executor(), [h = std::move(handler), r] { h(r); });
      return;
    }
    ++done;
  }
  boost::asio::post(descriptor_.get_executor(), [h = std::move(handler), done] { h(IoResult{done, 0}); });
}

}  // namespace device

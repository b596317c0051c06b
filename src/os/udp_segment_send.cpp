#include "os/udp_segment_send.h"

#include <netinet/udp.h>
#include <sys/socket.h>

#include <cstring>

namespace os {

ssize_t send_udp_segments(int fd, std::span<const std::uint8_t> payload, std::uint16_t segment_size, int flags) {
  iovec iov{const_cast<std::uint8_t*>(payload.data()), payload.size()};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(std::uint16_t))] = {};
  if (segment_size != 0) {
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_UDP;
    c->cmsg_type = UDP_SEGMENT;
    c->cmsg_len = CMSG_LEN(sizeof(std::uint16_t));
    std::memcpy(CMSG_DATA(c), &segment_size, sizeof segment_size);
  }
  return ::sendmsg(fd, &msg, flags);
}

}  // namespace os

#pragma once
// Sending a burst of equal-size UDP datagrams in one system call (UDP_SEGMENT, Linux 4.18+): the
// kernel cuts the buffer into datagrams of segment_size bytes, the last one shorter if need be.
#include <sys/types.h>

#include <cstdint>
#include <span>

namespace os {

// One sendmsg() of `payload` on the UDP socket `fd`; segment_size 0 sends one datagram. The size
// travels as a control message, so the socket keeps no segment size between calls. Returns what
// sendmsg() returned (-1 with errno set).
ssize_t send_udp_segments(int fd, std::span<const std::uint8_t> payload, std::uint16_t segment_size, int flags);

}  // namespace os

#pragma once
// The real sockets behind the stack: non-blocking TCP and UDP sockets in the stack's own network
// namespace, registered with an epoll instance (edge-triggered) under the token the engine gave.
#include <cstddef>

#include "stack/socket.h"

namespace stack {

struct KernelSocketOptions {
  // The TCP send buffer (SO_SNDBUF; 0 = the kernel's autotuning): what the stack may accept from
  // the client before the server read it, and so the largest window we advertise. Fixed, because
  // autotuning only grows a buffer after a send found it full, which never happens when we
  // advertise exactly the room left (measured: 0.77 Gbit/s upload with autotuning). The kernel
  // caps it at net.core.wmem_max.
  std::size_t tcp_send_buffer = 4 << 20;
};

class KernelSocketFactory final : public SocketFactory {
 public:
  KernelSocketFactory(int epoll_fd, KernelSocketOptions options = {}) : epoll_fd_(epoll_fd), options_(options) {}
  std::unique_ptr<StreamSocket> connect_tcp(const FlowKey& flow, std::uint64_t token, int& error) override;
  std::unique_ptr<DatagramSocket> connect_udp(const FlowKey& flow, std::uint64_t token, int& error) override;

 private:
  int epoll_fd_;
  KernelSocketOptions options_;
};

}  // namespace stack

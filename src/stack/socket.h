#pragma once
// The kernel sockets the stack relays over, as interfaces, so the TCP engine runs in unit tests
// over fakes (tests/support/fake_sockets.h) and in tunstack over the real thing
// (kernel_socket.h). Every call is non-blocking; readiness arrives as events (Readiness) for the
// token the socket was created with.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "device/io_result.h"
#include "stack/flow.h"

namespace stack {

using device::IoResult;

struct Readiness {
  bool readable = false;  // data (or EOF, or an error) to read
  bool writable = false;  // room in the send buffer; for a connecting socket: the connect finished
  bool error = false;     // EPOLLERR / EPOLLHUP
};

// One TCP connection from the stack to the server the client asked for. The bytes the server
// sent stay in this socket's receive buffer until the client acknowledged them: peek() reads
// them at a running offset, consume() drops the acknowledged head, seek() moves the offset back
// for a retransmission. No user-space copy of unacknowledged data exists.
class StreamSocket {
 public:
  virtual ~StreamSocket() = default;
  // After `writable` on a connecting socket: 0 when connected, else the errno it failed with.
  virtual int connect_error() = 0;
  // Queues bytes for the server; count = bytes accepted (fewer when the buffer is full), error
  // EAGAIN when none fit, EPIPE/ECONNRESET… when the connection is gone.
  virtual IoResult send(std::span<const std::uint8_t> bytes) = 0;
  // Bytes the send buffer can still take: what the stack may advertise as its window.
  virtual std::size_t send_space() = 0;
  // Asks for a `writable` event once the send buffer has room again (after we advertised a
  // closed window without a send having failed, the kernel would otherwise not say so).
  virtual void want_writable() {}
  // Copies received bytes at the peek offset and advances it; count 0 with error 0 is the
  // server's FIN (all data before it peeked), error EAGAIN means nothing more yet.
  virtual IoResult peek(std::span<std::uint8_t> out) = 0;
  // Drops the first n received bytes (acknowledged by the client); the peek offset moves with them.
  virtual IoResult consume(std::size_t n) = 0;
  // Sets the peek offset, in bytes past the first byte not consumed: 0 goes back for a
  // retransmission from the first unacknowledged byte, more to resend a hole the client SACKed
  // around. An offset past what was received is clamped to its end.
  virtual void seek(std::size_t offset) = 0;
  // The client sent its FIN: half-close towards the server.
  virtual void shutdown_write() = 0;
  // The client reset the connection: make the kernel send RST to the server (SO_LINGER 0).
  virtual void abort() = 0;
};

// One UDP flow from the stack to the server the client sends to (a connected socket).
class DatagramSocket {
 public:
  virtual ~DatagramSocket() = default;
  // Sends one datagram, or, with gso_size != 0, a run of datagrams of gso_size bytes (the last
  // may be shorter) in one call (UDP_SEGMENT). error EAGAIN when the send buffer is full.
  virtual IoResult send(std::span<const std::uint8_t> payload, std::uint16_t gso_size) = 0;
  // Receives the next datagram or a run of datagrams of equal size (UDP_GRO): count = bytes,
  // gso_size set to the datagram size when several were coalesced. error EAGAIN when empty,
  // EMSGSIZE when what arrived was larger than `out` (it is gone).
  virtual IoResult receive(std::span<std::uint8_t> out, std::uint16_t& gso_size) = 0;
};

class SocketFactory {
 public:
  virtual ~SocketFactory() = default;
  // Starts a non-blocking connect to the flow's server address and port; readiness events for it
  // carry `token`. nullptr with `error` set when it failed at once (ENETUNREACH, EMFILE…).
  virtual std::unique_ptr<StreamSocket> connect_tcp(const FlowKey& flow, std::uint64_t token, int& error) = 0;
  virtual std::unique_ptr<DatagramSocket> connect_udp(const FlowKey& flow, std::uint64_t token, int& error) = 0;
};

}  // namespace stack

#pragma once
// In-memory kernel sockets for the stack's unit tests (stack/socket.h): a FakeSocketFactory that
// records every socket it makes under its token, stream sockets whose "server side" the test
// plays (what the server sent, its FIN or reset, how much room its send buffer has), datagram
// sockets that record what was sent and replay what the test queues.
#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "stack/socket.h"

namespace tbtest {

using Bytes = std::vector<std::uint8_t>;

// What happened to a socket, kept by the factory after the stack closed (destroyed) it, so a
// test can still see that a connection it no longer reaches was aborted or closed.
struct SocketRecord {
  bool aborted = false;
  bool write_shut = false;
  bool closed = false;  // the stack destroyed the socket (close(2))
};

class FakeStreamSocket final : public stack::StreamSocket {
 public:
  static constexpr std::size_t kDefaultCapacity = std::size_t{1} << 20;
  explicit FakeStreamSocket(SocketRecord* record = nullptr) : record_(record) {}
  ~FakeStreamSocket() override {
    if (record_) record_->closed = true;
  }
  FakeStreamSocket(const FakeStreamSocket&) = delete;
  FakeStreamSocket& operator=(const FakeStreamSocket&) = delete;

  // --- the test plays the server ---
  int connect_result = 0;                   // what connect_error() says once writable
  std::size_t capacity = kDefaultCapacity;  // bytes send() may hold before the "server" reads them
  Bytes received;                           // every byte send() accepted, in order
  std::size_t unread = 0;                   // of those, bytes the server has not read yet (they fill capacity)
  bool write_shut = false;                  // shutdown_write() was called
  bool aborted = false;                     // abort() was called
  int error = 0;                            // when set, every call fails with it (a reset connection)
  std::size_t peeks = 0, seeks = 0;
  std::size_t space_queries = 0;  // send_space() calls: each is a system call on a kernel socket

  void server_sends(const Bytes& b) {
    if (head_ > 0 && head_ >= inbound_.size() / 2) {  // drop the consumed front: amortised O(1) per byte
      inbound_.erase(inbound_.begin(), inbound_.begin() + static_cast<std::ptrdiff_t>(head_));
      head_ = 0;
    }
    inbound_.insert(inbound_.end(), b.begin(), b.end());
  }
  void server_closes() { eof_ = true; }
  void server_reads(std::size_t n) { unread -= std::min(n, unread); }
  // Bytes received from the server and not consumed yet (what the client has not acknowledged).
  std::size_t unacknowledged() const { return inbound_.size() - head_; }
  std::size_t peek_offset() const { return offset_; }

  // --- stack::StreamSocket ---
  int connect_error() override { return connect_result; }
  stack::IoResult send(std::span<const std::uint8_t> bytes) override {
    if (error) return {0, error};
    const std::size_t room = capacity > unread ? capacity - unread : 0;
    const std::size_t n = std::min(room, bytes.size());
    if (n == 0) return {0, EAGAIN};
    received.insert(received.end(), bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
    unread += n;
    return {n, 0};
  }
  std::size_t send_space() override {
    ++space_queries;
    return capacity > unread ? capacity - unread : 0;
  }
  stack::IoResult peek(std::span<std::uint8_t> out) override {
    ++peeks;
    if (error) return {0, error};
    if (offset_ >= unacknowledged()) return eof_ ? stack::IoResult{0, 0} : stack::IoResult{0, EAGAIN};
    const std::size_t n = std::min(out.size(), unacknowledged() - offset_);
    std::copy_n(inbound_.data() + head_ + offset_, n, out.data());
    offset_ += n;
    return {n, 0};
  }
  stack::IoResult consume(std::size_t n) override {
    if (error) return {0, error};
    n = std::min(n, unacknowledged());
    head_ += n;
    offset_ = offset_ > n ? offset_ - n : 0;
    return {n, 0};
  }
  void seek(std::size_t offset) override {
    ++seeks;
    offset_ = std::min(offset, unacknowledged());
  }
  void shutdown_write() override {
    write_shut = true;
    if (record_) record_->write_shut = true;
  }
  void abort() override {
    aborted = true;
    if (record_) record_->aborted = true;
  }

 private:
  SocketRecord* record_;
  // What the server sent: the bytes from head_ on are not consumed yet (a vector with a moving
  // front, not a deque: the fuzzer's server sends megabytes, and a deque allocates every 512).
  Bytes inbound_;
  std::size_t head_ = 0;
  std::size_t offset_ = 0;
  bool eof_ = false;
};

class FakeDatagramSocket final : public stack::DatagramSocket {
 public:
  explicit FakeDatagramSocket(SocketRecord* record = nullptr) : record_(record) {}
  ~FakeDatagramSocket() override {
    if (record_) record_->closed = true;
  }
  FakeDatagramSocket(const FakeDatagramSocket&) = delete;
  FakeDatagramSocket& operator=(const FakeDatagramSocket&) = delete;

  struct Sent {
    Bytes payload;
    std::uint16_t gso_size = 0;
  };
  std::vector<Sent> sent;
  int send_error = 0;      // when set, send() fails with it
  int gso_send_error = 0;  // when set, a send() with a gso_size fails with it (EINVAL: the path's MTU)
  int receive_error = 0;   // the next receive() fails with it, once (an ICMP error the kernel reports)

  // A reply from the server: one datagram, or a GRO run of `gso_size`-byte datagrams.
  void server_replies(Bytes payload, std::uint16_t gso_size = 0) { replies_.push_back({std::move(payload), gso_size}); }

  stack::IoResult send(std::span<const std::uint8_t> payload, std::uint16_t gso_size) override {
    if (send_error) return {0, send_error};
    if (gso_send_error && gso_size != 0) return {0, gso_send_error};
    sent.push_back({Bytes(payload.begin(), payload.end()), gso_size});
    return {payload.size(), 0};
  }
  stack::IoResult receive(std::span<std::uint8_t> out, std::uint16_t& gso_size) override {
    if (receive_error) return {0, std::exchange(receive_error, 0)};
    if (replies_.empty()) return {0, EAGAIN};
    const auto r = std::move(replies_.front());
    replies_.pop_front();
    const std::size_t n = std::min(out.size(), r.payload.size());
    std::copy_n(r.payload.begin(), n, out.begin());
    gso_size = r.gso_size;
    // Like recvmsg with MSG_TRUNC in msg_flags: the rest of a larger datagram is gone.
    return {n, r.payload.size() > out.size() ? EMSGSIZE : 0};
  }

 private:
  SocketRecord* record_;
  std::deque<Sent> replies_;
};

// Makes the fakes, remembers them by token (the sockets stay owned by the stack).
class FakeSocketFactory final : public stack::SocketFactory {
 public:
  int fail_with = 0;  // when set, connect_*() fails at once with it

  std::unique_ptr<stack::StreamSocket> connect_tcp(const stack::FlowKey& flow, std::uint64_t token,
                                                   int& error) override {
    if (fail_with) return error = fail_with, nullptr;
    auto s = std::make_unique<FakeStreamSocket>(&records[token]);
    streams[token] = s.get();
    last_stream = token;
    flows[token] = flow;
    return s;
  }
  std::unique_ptr<stack::DatagramSocket> connect_udp(const stack::FlowKey& flow, std::uint64_t token,
                                                     int& error) override {
    if (fail_with) return error = fail_with, nullptr;
    auto s = std::make_unique<FakeDatagramSocket>(&records[token]);
    datagrams[token] = s.get();
    last_datagram = token;
    flows[token] = flow;
    return s;
  }

  // Raw pointers: valid while the stack keeps the socket (check stack.knows(token) first).
  std::map<std::uint64_t, FakeStreamSocket*> streams;
  // Stream and datagram sockets by token (UDP tokens carry stack::kUdpTokenBit). They outlive
  // the sockets (std::map nodes do not move): aborted / closed after the stack let go.
  std::map<std::uint64_t, SocketRecord> records;
  // The token of the socket made last (tokens reuse slots: the newest is not the largest).
  std::uint64_t last_stream = 0, last_datagram = 0;
  std::map<std::uint64_t, FakeDatagramSocket*> datagrams;
  std::map<std::uint64_t, stack::FlowKey> flows;
};

}  // namespace tbtest

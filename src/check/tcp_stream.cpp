#include "check/tcp_stream.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <span>
#include <stdexcept>

#include <fmt/format.h>

#include "check/netns.h"
#include "check/pattern.h"
#include "check/socket_address.h"
#include "harness/interrupt.h"

namespace check {
namespace {

constexpr std::size_t kChunk = 64 << 10;
constexpr int kWakeMs = 100;  // how often a blocked thread looks at the deadline and abort flag

void set_nonblocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

}  // namespace

std::string DirectionResult::describe() const {
  std::string s = fmt::format("{} of {} bytes", received, expected);
  if (first_wrong_byte) s += fmt::format(", byte {} differs from what was sent", *first_wrong_byte);
  if (received > expected) s += ", more than was sent";
  if (!eof) s += ", no end of stream";
  if (!error.empty()) s += ", " + error;
  if (!send_error.empty()) s += ", sender: " + send_error;
  if (ok()) s += ", whole and in order";
  return s;
}

bool TcpStream::wait_ready(int fd, short events, std::string* why) const {
  for (;;) {
    if (abort_) {
      *why = "aborted";
      return false;
    }
    if (harness::interrupt_requested()) {
      *why = "interrupted";
      return false;
    }
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      *why = fmt::format("still running after {} ms", options_.timeout.count());
      return false;
    }
    pollfd p{fd, events, 0};
    const int n = ::poll(&p, 1, static_cast<int>(std::min<std::int64_t>(left.count(), kWakeMs)));
    if (n > 0) return true;
    if (n < 0 && errno != EINTR) {
      *why = fmt::format("poll: {}", std::strerror(errno));
      return false;
    }
  }
}

TcpStream::TcpStream(const StreamOptions& o) : options_(o) {
  start_ = std::chrono::steady_clock::now();
  deadline_ = start_ + o.timeout;
  const auto server = socket_address(o.server_address, o.port);
  auto listener = socket_in(o.server_ns, server.family, SOCK_STREAM, 0);
  const int one = 1;
  ::setsockopt(listener.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(listener.get(), server.get(), server.length) != 0 || ::listen(listener.get(), 1) != 0)
    throw std::runtime_error(
        fmt::format("listen on {} port {} in {}: {}", o.server_address, o.port, o.server_ns, std::strerror(errno)));
  client_ = socket_in(o.client_ns, server.family, SOCK_STREAM, 0);
  set_nonblocking(client_.get());
  set_nonblocking(listener.get());
  std::string why;
  if (::connect(client_.get(), server.get(), server.length) != 0 && errno != EINPROGRESS)
    throw std::runtime_error(fmt::format("connect to {} port {}: {}", o.server_address, o.port, std::strerror(errno)));
  if (!wait_ready(listener.get(), POLLIN, &why))
    throw std::runtime_error(
        fmt::format("no connection to {} port {} through the forwarder: {}", o.server_address, o.port, why));
  server_.reset(::accept4(listener.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
  if (!server_.valid()) throw std::runtime_error(fmt::format("accept: {}", std::strerror(errno)));
  if (!wait_ready(client_.get(), POLLOUT, &why))
    throw std::runtime_error(fmt::format("connect to {} port {}: {}", o.server_address, o.port, why));
  int error = 0;
  socklen_t len = sizeof error;
  ::getsockopt(client_.get(), SOL_SOCKET, SO_ERROR, &error, &len);
  if (error != 0) throw std::runtime_error(fmt::format("connect to {}: {}", o.server_address, std::strerror(error)));

  result_.up.expected = o.up;
  result_.down.expected = o.down;
  // Up: the client writes, the server reads; down the other way round. A direction without
  // bytes still sends its FIN, so each reader sees the end of its stream.
  threads_.emplace_back([this] { send_pattern(client_.get(), options_.up, options_.seed, &result_.up); });
  threads_.emplace_back(
      [this] { receive_pattern(server_.get(), options_.seed, &result_.up, &received_up_, &up_done_); });
  threads_.emplace_back([this] { send_pattern(server_.get(), options_.down, ~options_.seed, &result_.down); });
  threads_.emplace_back(
      [this] { receive_pattern(client_.get(), ~options_.seed, &result_.down, &received_down_, &down_done_); });
}

TcpStream::~TcpStream() {
  abort_ = true;
  for (auto& t : threads_)
    if (t.joinable()) t.join();
}

void TcpStream::send_pattern(int fd, std::uint64_t bytes, std::uint64_t seed, DirectionResult* result) {
  const Pattern pattern(seed);
  std::vector<std::uint8_t> chunk(kChunk);
  std::uint64_t sent = 0;
  while (sent < bytes) {
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(kChunk, bytes - sent));
    pattern.fill(sent, std::span(chunk).first(n));
    std::size_t off = 0;
    while (off < n) {
      const ssize_t w = ::send(fd, chunk.data() + off, n - off, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (w > 0) {
        off += static_cast<std::size_t>(w);
        continue;
      }
      if (w < 0 && errno != EAGAIN && errno != EINTR) {
        result->send_error = fmt::format("send after {} bytes: {}", sent + off, std::strerror(errno));
        return;
      }
      std::string why;
      if (!wait_ready(fd, POLLOUT, &why)) {
        result->send_error = fmt::format("sent {} bytes: {}", sent + off, why);
        return;
      }
    }
    sent += n;
  }
  ::shutdown(fd, SHUT_WR);
}

void TcpStream::notify_progress() {
  // Under the mutex, so a waiter between its check and its wait cannot miss it.
  { std::lock_guard lock(progress_mutex_); }
  progress_.notify_all();
}

bool TcpStream::wait_for_up(std::uint64_t bytes) {
  std::unique_lock lock(progress_mutex_);
  progress_.wait_until(lock, deadline_,
                       [&] { return received_up_ >= bytes || up_done_ || abort_ || harness::interrupt_requested(); });
  return received_up_ >= bytes;
}

void TcpStream::receive_pattern(int fd, std::uint64_t seed, DirectionResult* result,
                                std::atomic<std::uint64_t>* progress, std::atomic<bool>* done) {
  // However it ends, a waiter for progress must hear of it.
  struct Notify {
    TcpStream* stream;
    std::atomic<bool>* flag;
    ~Notify() {
      *flag = true;
      stream->notify_progress();
    }
  } notify{this, done};
  const Pattern pattern(seed);
  std::vector<std::uint8_t> buffer(kChunk);
  for (;;) {
    const ssize_t r = ::recv(fd, buffer.data(), buffer.size(), MSG_DONTWAIT);
    if (r > 0) {
      const auto got = std::span<const std::uint8_t>(buffer).first(static_cast<std::size_t>(r));
      if (!result->first_wrong_byte)
        if (const auto at = pattern.first_mismatch(result->received, got))
          result->first_wrong_byte = result->received + *at;
      result->received += got.size();
      *progress = result->received;
      notify_progress();
      continue;
    }
    if (r == 0) {
      result->eof = true;
      return;
    }
    if (errno != EAGAIN && errno != EINTR) {
      result->error = fmt::format("recv: {}", std::strerror(errno));
      return;
    }
    std::string why;
    if (!wait_ready(fd, POLLIN, &why)) {
      result->error = why;
      return;
    }
  }
}

StreamResult TcpStream::wait() {
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  result_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  return result_;
}

}  // namespace check

#pragma once
// One TCP connection from the client namespace to the server namespace carrying a seeded
// pattern (pattern.h) each way: `up` bytes client → server, `down` bytes server → client, at
// the same time when both are set. Each receiver checks every byte where it lands, so the
// result says whether the stream arrived whole, once and in order, and if not, where it broke.
// Every wait is bounded (the deadline) and ends early on abort() or a signal to tunbench.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "device/unique_fd.h"

namespace check {

struct StreamOptions {
  std::string client_ns;
  std::string server_ns;
  std::string server_address;  // IPv4 or IPv6 literal: picks the family
  std::uint16_t port = 5300;
  std::uint64_t up = 0;
  std::uint64_t down = 0;
  std::uint64_t seed = 1;
  std::chrono::milliseconds timeout{30000};  // connect plus the whole transfer
};

struct DirectionResult {
  std::uint64_t expected = 0;
  std::uint64_t received = 0;
  std::optional<std::uint64_t> first_wrong_byte;  // stream offset
  bool eof = false;                               // the sender's FIN arrived
  std::string error;                              // the receiver's: a socket error or the deadline
  std::string send_error;                         // the sender's (written by its own thread)
  bool ok() const { return error.empty() && send_error.empty() && eof && received == expected && !first_wrong_byte; }
  // "4194304 of 4194304 bytes, in order" or what went wrong.
  std::string describe() const;
};

struct StreamResult {
  DirectionResult up, down;
  double seconds = 0;
};

class TcpStream {
 public:
  // Listens, connects (both bounded by the timeout) and starts the transfer; throws
  // std::runtime_error saying which step failed.
  explicit TcpStream(const StreamOptions& options);
  ~TcpStream();
  TcpStream(const TcpStream&) = delete;
  TcpStream& operator=(const TcpStream&) = delete;

  // Bytes the server has received so far (the upload's progress).
  std::uint64_t received_up() const { return received_up_; }
  // Waits until the server has received `bytes` or the upload ended; true when it has them.
  // Bounded by the stream's deadline.
  bool wait_for_up(std::uint64_t bytes);
  // Ends the transfer early: every thread returns at its next wake-up.
  void abort() { abort_ = true; }
  // Waits for both directions to finish (or the deadline); once only.
  StreamResult wait();

 private:
  void send_pattern(int fd, std::uint64_t bytes, std::uint64_t seed, DirectionResult* result);
  void receive_pattern(int fd, std::uint64_t seed, DirectionResult* result, std::atomic<std::uint64_t>* progress,
                       std::atomic<bool>* done);
  void notify_progress();
  // Waits for `events` on fd; false on the deadline, abort or a signal (with `why` set).
  bool wait_ready(int fd, short events, std::string* why) const;

  StreamOptions options_;
  std::chrono::steady_clock::time_point start_, deadline_;
  device::UniqueFd client_, server_;
  std::atomic<bool> abort_{false};
  std::atomic<std::uint64_t> received_up_{0}, received_down_{0};
  std::atomic<bool> up_done_{false}, down_done_{false};
  std::mutex progress_mutex_;
  std::condition_variable progress_;
  StreamResult result_;
  std::vector<std::thread> threads_;
};

}  // namespace check

#pragma once
// The interface every mode implements, and the shared bookkeeping (counters, stop, failure).
#include <atomic>
#include <mutex>
#include <string>

#include "forward/counters/counters.h"
#include "forward/endpoint.h"

namespace forward {

class BufferPool;

struct Status {
  bool ok = true;
  std::string error;  // "tun11: read failed: Input/output error"
};

class Forwarder {
 public:
  virtual ~Forwarder() = default;
  // Forwards both ways until stop() or a device failure; returns why it ended.
  virtual Status run() = 0;
  // Thread-safe, idempotent; run() returns soon after.
  virtual void stop() = 0;
  virtual const Counters& counters() const = 0;
  // The buffer pool of a pooled mode (Mode::pool), for tests and statistics; else nullptr.
  virtual const BufferPool* pool() const { return nullptr; }
};

// What to do after a failed device read.
enum class ReadFailure { kStopped, kRetry, kFatal };
ReadFailure classify_read_error(int error);
std::string read_error_message(const std::string& device, int error);

// Counters, the stop flag and the first failure, for the concrete forwarders.
class ForwarderBase : public Forwarder {
 public:
  explicit ForwarderBase(const Setup& setup) : counters_(setup.first.name, setup.second.name) {}
  const Counters& counters() const override { return counters_; }
  void stop() override;

 protected:
  // Records the first failure and stops everything.
  void fail(std::string message);
  bool stopping() const { return stopping_.load(std::memory_order_acquire); }
  const std::atomic<bool>& stop_flag() const { return stopping_; }
  Status status() const;
  // Wakes every blocked device call / pending operation and closes channels; called once.
  virtual void interrupt_all() = 0;
  // Handles a read error for `device`; true when the direction must stop.
  bool on_read_error(const std::string& device, int error);

  Counters counters_;

 private:
  std::atomic<bool> stopping_{false};
  mutable std::mutex mu_;
  std::string error_;
};

}  // namespace forward

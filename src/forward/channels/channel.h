#pragma once
// Bounded single-producer/single-consumer queue between the reader thread and the writer
// thread of one direction (sync channel modes). Lock-free ring (boost::lockfree::spsc_queue);
// blocking is done with C++20 atomic wait/notify on two event counters, never by spinning.
//
// Lost wake-ups are impossible: a waiter loads the counter *before* re-checking the queue and
// waits only while the counter still has that value, and every push/pop bumps its counter
// after changing the queue.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>

#include <boost/lockfree/spsc_queue.hpp>

namespace forward {

inline constexpr std::size_t kChannelCapacity = 2048;

template <class T>
class Channel {
  static_assert(std::is_trivially_copyable_v<T>, "channel entries are handles, not owners");

 public:
  explicit Channel(std::size_t capacity = kChannelCapacity) : queue_(capacity) {}

  // Pushes every item, waiting for room; returns how many were pushed (fewer only if closed).
  // A run of items becomes visible to the consumer at once, so it can pop them as one batch.
  std::size_t push_all(std::span<const T> items) {
    std::size_t done = 0;
    while (done < items.size()) {
      const auto seen = pops_.load(std::memory_order_acquire);
      if (closed_.load(std::memory_order_acquire)) return done;
      const std::size_t n = queue_.push(items.data() + done, items.size() - done);
      if (n == 0) {
        pops_.wait(seen, std::memory_order_acquire);
        continue;
      }
      done += n;
      pushes_.fetch_add(1, std::memory_order_release);
      pushes_.notify_one();
    }
    return done;
  }
  bool push(const T& item) { return push_all(std::span<const T>(&item, 1)) == 1; }

  // Waits for at least one item and pops up to out.size(); 0 means closed (and drained up to
  // the close: items left behind are for drain()).
  std::size_t pop_some(std::span<T> out) {
    for (;;) {
      const auto seen = pushes_.load(std::memory_order_acquire);
      if (closed_.load(std::memory_order_acquire)) return 0;
      const std::size_t n = queue_.pop(out.data(), out.size());
      if (n != 0) {
        pops_.fetch_add(1, std::memory_order_release);
        pops_.notify_one();
        return n;
      }
      pushes_.wait(seen, std::memory_order_acquire);
    }
  }

  // Wakes both sides for good; later push/pop_some return at once.
  void close() {
    closed_.store(true, std::memory_order_release);
    pushes_.fetch_add(1, std::memory_order_release);
    pops_.fetch_add(1, std::memory_order_release);
    pushes_.notify_all();
    pops_.notify_all();
  }
  bool closed() const { return closed_.load(std::memory_order_acquire); }

  // After both sides stopped: hands every leftover item to `f` (to release and count it).
  template <class F>
  std::size_t drain(F&& f) {
    std::size_t n = 0;
    T item;
    while (queue_.pop(item)) {
      f(item);
      ++n;
    }
    return n;
  }

 private:
  boost::lockfree::spsc_queue<T> queue_;
  std::atomic<std::uint32_t> pushes_{0};
  std::atomic<std::uint32_t> pops_{0};
  std::atomic<bool> closed_{false};
};

}  // namespace forward

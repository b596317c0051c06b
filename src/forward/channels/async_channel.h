#pragma once
// Bounded 2048-entry queue between the reader task and the writer task of one direction in
// the async modes. Both tasks run on one io_context thread, so the queue needs no lock; it
// still uses the lock-free ring so entries are handles moved without allocation. Waiting is
// by continuation: a task that finds the queue full (empty) leaves one waiter, which the other
// side wakes with asio::post — never inline, so no task re-enters another.
#include <cstddef>
#include <functional>
#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/lockfree/spsc_queue.hpp>

#include "forward/channels/channel.h"

namespace forward {

template <class T>
class AsyncChannel {
 public:
  using Waiter = std::function<void(bool open)>;

  explicit AsyncChannel(boost::asio::any_io_executor ex, std::size_t capacity = kChannelCapacity)
      : ex_(std::move(ex)), queue_(capacity) {}

  bool try_push(const T& v) {
    if (closed_ || !queue_.push(v)) return false;
    wake(item_waiter_);
    return true;
  }
  bool try_pop(T& v) {
    if (!queue_.pop(v)) return false;
    wake(room_waiter_);
    return true;
  }
  // Calls w(open) once there is room (or the channel closed).
  void wait_for_room(Waiter w) {
    room_waiter_ = std::move(w);
    if (closed_ || queue_.write_available() != 0) wake(room_waiter_);
  }
  // Calls w(open) once there is an item (or the channel closed).
  void wait_for_item(Waiter w) {
    item_waiter_ = std::move(w);
    if (closed_ || queue_.read_available() != 0) wake(item_waiter_);
  }
  void close() {
    closed_ = true;
    wake(item_waiter_);
    wake(room_waiter_);
  }
  bool closed() const { return closed_; }
  template <class F>
  std::size_t drain(F&& f) {
    std::size_t n = 0;
    T v;
    while (queue_.pop(v)) {
      f(v);
      ++n;
    }
    return n;
  }

 private:
  void wake(Waiter& w) {
    if (!w) return;
    boost::asio::post(ex_, [h = std::exchange(w, nullptr), open = !closed_] { h(open); });
  }

  boost::asio::any_io_executor ex_;
  boost::lockfree::spsc_queue<T> queue_;
  Waiter item_waiter_;
  Waiter room_waiter_;
  bool closed_ = false;
};

}  // namespace forward

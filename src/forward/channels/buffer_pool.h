#pragma once
// Fixed-size packet buffers allocated once at start-up and handed out by index. The free list
// is a lock-free stack with its nodes reserved up front, so acquire/release never allocate and
// a reader thread and a writer thread can trade buffers without a lock. Every buffer starts on a
// cache line of its own (the stride is rounded up to kAlignment), so a packet copied in never
// shares a line with its neighbour and the copy's destination is aligned.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include <boost/lockfree/stack.hpp>

#include "device/aligned_bytes.h"

namespace forward {

class BufferPool {
 public:
  using Handle = std::uint32_t;

  BufferPool(std::size_t count, std::size_t buffer_size);

  // A free buffer, or nothing when all are in use (the caller waits or drops; the pool never grows).
  std::optional<Handle> acquire();
  void release(Handle h);
  std::span<std::uint8_t> buffer(Handle h) { return {storage_.get() + std::size_t{h} * stride_, buffer_size_}; }

  std::size_t capacity() const { return count_; }
  std::size_t buffer_size() const { return buffer_size_; }
  // Bytes from one buffer's start to the next: buffer_size() rounded up to kAlignment.
  std::size_t stride() const { return stride_; }
  static constexpr std::size_t kAlignment = 64;
  // Buffers ever allocated: fixed at construction; tests assert it stays there while packets flow.
  std::size_t allocations() const { return allocations_; }
  // Successful acquire() calls; exceeding capacity() proves buffers were recycled.
  std::uint64_t acquisitions() const { return acquisitions_.load(std::memory_order_relaxed); }
  std::size_t in_use() const { return in_use_.load(std::memory_order_relaxed); }

 private:
  std::size_t count_;
  std::size_t buffer_size_;
  std::size_t stride_;
  device::AlignedBytes storage_;
  boost::lockfree::stack<Handle> free_;
  std::size_t allocations_ = 0;
  std::atomic<std::uint64_t> acquisitions_{0};
  std::atomic<std::size_t> in_use_{0};
};

}  // namespace forward

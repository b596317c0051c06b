#include "forward/channels/buffer_pool.h"

#include <stdexcept>

namespace forward {

BufferPool::BufferPool(std::size_t count, std::size_t buffer_size)
    : count_(count),
      buffer_size_(buffer_size),
      stride_(device::round_up(buffer_size, kAlignment)),
      storage_(device::make_aligned_bytes(count * stride_, kAlignment)),
      free_(count) {
  allocations_ = count;
  for (std::size_t i = 0; i < count; ++i) {
    // bounded_push uses only the nodes reserved by the constructor: no allocation here or later.
    if (!free_.bounded_push(static_cast<Handle>(i))) throw std::logic_error("BufferPool: free list too small");
  }
}

std::optional<BufferPool::Handle> BufferPool::acquire() {
  Handle h;
  if (!free_.pop(h)) return std::nullopt;
  acquisitions_.fetch_add(1, std::memory_order_relaxed);
  in_use_.fetch_add(1, std::memory_order_relaxed);
  return h;
}

void BufferPool::release(Handle h) {
  in_use_.fetch_sub(1, std::memory_order_relaxed);
  free_.bounded_push(h);  // cannot fail: at most `count` handles exist
}

}  // namespace forward

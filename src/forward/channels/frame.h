#pragma once
// A packet travelling through a channel: a buffer plus its length, passed by value (a handle),
// released by the FrameStore that made it.
#include <cstdint>
#include <optional>
#include <span>

#include "forward/channels/buffer_pool.h"

namespace forward {

struct Frame {
  std::uint8_t* data = nullptr;
  std::uint32_t capacity = 0;
  std::uint32_t length = 0;
  BufferPool::Handle handle = 0;  // pool stores only
  bool checksum_ok = false;       // L4 checksum computed by the reader's split (GroTable::coalesce)

  std::span<std::uint8_t> buffer() const { return {data, capacity}; }
  std::span<const std::uint8_t> bytes() const { return {data, length}; }
};

// Where frames come from: the heap (one allocation per packet, the non-pool rows of the
// reference table) or a BufferPool (recycled, nothing allocated after start-up).
class FrameStore {
 public:
  virtual ~FrameStore() = default;
  // A frame for a packet of `length` bytes (at most frame_size()), or nullopt when none is free.
  virtual std::optional<Frame> acquire(std::size_t length) = 0;
  virtual void release(const Frame& f) = 0;
  virtual std::size_t frame_size() const = 0;
};

class HeapFrameStore final : public FrameStore {
 public:
  explicit HeapFrameStore(std::size_t frame_size) : size_(frame_size) {}
  // Exactly the packet's size: what a full channel holds is then the bytes queued, not
  // 2048 MTU-sized blocks (a queue of ACKs costs 2048 x 64 B rather than 2048 x 1.7 KB).
  std::optional<Frame> acquire(std::size_t length) override {
    if (length > size_) return std::nullopt;
    return Frame{new std::uint8_t[length], static_cast<std::uint32_t>(length), 0, 0, false};
  }
  void release(const Frame& f) override { delete[] f.data; }
  std::size_t frame_size() const override { return size_; }

 private:
  std::size_t size_;
};

class PoolFrameStore final : public FrameStore {
 public:
  PoolFrameStore(std::size_t count, std::size_t frame_size) : pool_(count, frame_size) {}
  std::optional<Frame> acquire(std::size_t length) override {
    if (length > pool_.buffer_size()) return std::nullopt;
    auto h = pool_.acquire();
    if (!h) return std::nullopt;
    auto b = pool_.buffer(*h);
    return Frame{b.data(), static_cast<std::uint32_t>(b.size()), 0, *h, false};
  }
  void release(const Frame& f) override { pool_.release(f.handle); }
  std::size_t frame_size() const override { return pool_.buffer_size(); }
  const BufferPool& pool() const { return pool_; }

 private:
  BufferPool pool_;
};

}  // namespace forward

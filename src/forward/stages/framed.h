#pragma once
// A framed reader and writer over an AsyncBatchDevice, codec style: the reader decodes each
// read batch into frames (the codec: gso_split for a vnet device, a copy for a plain one);
// the writer is fed frames and flush() encodes them (GRO when the device takes GSO writes)
// and writes them, then gives the frames back to their store.
#include <functional>
#include <span>
#include <vector>

#include "device/async_batch_device.h"
#include "forward/channels/frame.h"
#include "forward/stages/batch_writer.h"
#include "forward/stages/read_stage.h"
#include "forward/stages/recv_slots.h"
#include "offload/segment.h"

namespace forward {

class FramedReader {
 public:
  using Handler = std::function<void(std::span<const Frame> frames, int error)>;
  FramedReader(device::AsyncBatchDevice& in, FrameStore& store, std::size_t segment_size);
  // One device read, decoded; `frames` stay valid until the next call (the caller owns them).
  void async_read(Tally& t, Handler h);

 private:
  device::AsyncBatchDevice& in_;
  FrameStore& store_;
  RecvSlots slots_;
  ReadStage stage_;
  std::vector<Frame> frames_;
  Tally* tally_ = nullptr;
  Handler handler_;
};

class FramedWriter {
 public:
  FramedWriter(device::AsyncBatchDevice& out, FrameStore& store, std::size_t segment_size, std::size_t capacity);
  bool full() const { return fed_.size() == capacity_; }
  bool empty() const { return fed_.empty(); }
  void feed(const Frame& f) { fed_.push_back(f); }
  // Coalesces and writes every fed frame, releases them, then calls done().
  void async_flush(Tally& t, std::function<void()> done);

 private:
  void send(Tally& t);

  device::AsyncBatchDevice& out_;
  FrameStore& store_;
  std::size_t capacity_;
  BatchWriter writer_;
  std::vector<Frame> fed_;
  std::vector<offload::Segment> segments_;
  std::vector<std::uint8_t> checksums_ok_;
  std::function<void()> done_;
};

}  // namespace forward

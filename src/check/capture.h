#pragma once
// The far side's view: an AF_PACKET socket bound to one TUN device inside its namespace (or the
// kernel oracle's veth: its link header is cut off), with
// PACKET_VNET_HDR so a GSO super-packet the forwarder wrote shows with its virtio-net header
// (docs/check.md, "How a case sees the forwarder"). It sees both ways through the device: what
// the forwarder wrote into it (PACKET_HOST) and what the kernel sent into it for the forwarder
// to read (PACKET_OUTGOING), the input the flag rules compare with.
//
// A reader thread empties the socket while traffic runs; finish() drains what is still queued.
// Everything a receiving application got has passed the device's tap before it, so once the
// application has its data, finish() has every packet that carried it: no waiting.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "device/unique_fd.h"
#include "vnet/vnet_header.h"

namespace check {

struct CapturedPacket {
  std::string device;
  bool written = false;  // true: the forwarder wrote it into the device; false: the kernel sent it out
  vnet::VnetHeader vnet{};
  std::vector<std::uint8_t> bytes;
  bool truncated = false;
};

struct CaptureResult {
  std::vector<CapturedPacket> packets;
  std::uint64_t dropped = 0;  // by the packet socket (its queue was full): the capture is incomplete
  bool overflow = false;      // more than the capture keeps in memory
  bool complete() const { return dropped == 0 && !overflow; }
};

class TunCapture {
 public:
  // Opens and binds the socket (throws on failure), then starts reading.
  TunCapture(const std::string& ns, std::string device);
  ~TunCapture();
  TunCapture(const TunCapture&) = delete;
  TunCapture& operator=(const TunCapture&) = delete;

  // Polls (every millisecond, bounded by `timeout`) until `done` holds for the packets seen so
  // far; true when it did. How a case knows everything it sent is in without sleeping blindly.
  bool wait_for(const std::function<bool(const std::vector<CapturedPacket>&)>& done, std::chrono::milliseconds timeout);

  // Drains the socket, stops the reader and returns everything seen. Once only.
  CaptureResult finish();

 private:
  void read_loop();
  // Reads what is queued without blocking; false on a socket error.
  bool drain();

  std::string device_;
  std::size_t link_header_ = 0;  // bytes in front of the IP header: 14 on Ethernet, 0 on a TUN
  device::UniqueFd fd_;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  CaptureResult result_;
  std::size_t kept_bytes_ = 0;
  std::thread reader_;
};

}  // namespace check

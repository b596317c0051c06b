#pragma once
// What one tunreplay row reports, for a tunfwd mode (replay_row.h) and for tunstack's engine
// (stack_row.h) alike: segments, payload, the calls that stand for system calls, allocations.
#include <cstdint>
#include <string>

namespace replay {

// What the code under measurement asked of the devices: they stand for the system calls a real
// TUN would take.
struct DeviceCounts {
  std::uint64_t reads = 0;  // read / recv_batch / async_recv_batch calls that returned packets
  std::uint64_t read_packets = 0;
  std::uint64_t writes = 0;  // write / send_batch / async_send_batch calls
  std::uint64_t write_packets = 0;
  std::uint64_t gso_writes = 0;    // packets written with a GSO virtio header
  std::uint64_t bytes_in = 0;      // bytes the device copied to the forwarder (the kernel's copy on read)
  std::uint64_t bytes_out = 0;     // bytes the forwarder handed to the device (the copy on write)
  std::uint64_t segments_out = 0;  // segments those writes stand for

  DeviceCounts& operator+=(const DeviceCounts& o) {
    reads += o.reads;
    read_packets += o.read_packets;
    writes += o.writes;
    write_packets += o.write_packets;
    gso_writes += o.gso_writes;
    bytes_in += o.bytes_in;
    bytes_out += o.bytes_out;
    segments_out += o.segments_out;
    return *this;
  }
};

struct RowResult {
  std::string mode;
  std::string workload;
  bool ok = true;
  std::string error;
  std::uint64_t segments = 0;       // segments fed (and, when ok, written)
  std::uint64_t payload_bytes = 0;  // TCP/UDP payload fed
  DeviceCounts in;                  // the device the workload is read from
  DeviceCounts out;                 // the device it is written to
  std::uint64_t allocations = 0;    // operator new calls by the measured code during the run
  // Calls on kernel sockets (tunstack's rows: send, peek, consume, seek, send_space, receive…),
  // each a system call for the real stack; 0 for the forwarder rows, which have none.
  std::uint64_t socket_calls = 0;
};

}  // namespace replay

#pragma once
// What tunreplay feeds a mode: one recorded or synthetic stream of reads, replayed a fixed number
// of times (never for a duration, so a row's counts are a property of the code), in device reads
// of at most `batch` packets, on one direction.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "vnet/vnet_header.h"

namespace replay {

// One read as the kernel returns it: the packet and, on a vnet-header device, its header.
struct Read {
  vnet::VnetHeader header;
  std::vector<std::uint8_t> bytes;
};

struct Workload {
  std::string name;
  // The reads an offload mode gets (GSO super-packets where the capture has them) and the same
  // traffic as a device without vnet headers delivers it (the super-packets split).
  std::vector<Read> offload_reads;
  std::vector<Read> plain_reads;
  std::size_t repeat = 1;     // times the reads are replayed in one row
  std::size_t batch = 16;     // at most this many packets per device read
  std::size_t direction = 0;  // 0: device 1 (tun11) reads, 1: the reverse way

  const std::vector<Read>& reads(bool offload) const { return offload ? offload_reads : plain_reads; }
};

// Segments (packets on the wire) one read stands for: a GSO super-packet's segment count, else 1.
std::size_t segments_of(const vnet::VnetHeader& header, const std::vector<std::uint8_t>& bytes);
// The same for a gathered write (device::OutPacket::more) of `size` bytes, without making it whole:
// GRO writes hdr_len as exactly its headers, so the payload is size - hdr_len, cut at gso_size.
std::size_t gathered_segments_of(const vnet::VnetHeader& header, std::size_t size);
// TCP/UDP payload bytes of one read (of a super-packet: all its segments').
std::size_t payload_of(const std::vector<std::uint8_t>& bytes);

// Every workload tunreplay knows, each replayed to about `segments` segments per row. `fixtures`
// is the folder holding the captured pcaps (fixtures/offload).
std::vector<Workload> all_workloads(const std::string& fixtures, std::size_t segments);

}  // namespace replay

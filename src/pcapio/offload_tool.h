#pragma once
// The record-processing core of `tunbench offload split|coalesce`: pcap in, pcap out, and a
// list of rejected records. A rejected record is written nowhere; the caller reports it.
#include <cstddef>
#include <string>
#include <vector>

#include "offload/gro_table.h"
#include "pcapio/pcap_reader.h"
#include "pcapio/pcap_writer.h"

namespace pcapio {

struct Rejection {
  std::size_t record = 0;  // 1-based input record number
  std::string reason;      // offload::to_string(error) or a plain sentence
};

struct ToolReport {
  std::size_t records_in = 0;
  std::size_t records_out = 0;
  std::vector<Rejection> rejected;
};

// USER0 records (vnet header + packet) -> RAW segments with complete checksums, via
// offload::gso_split. Throws PcapError when the input is not USER0 or the output is not RAW,
// or on any read/write error.
ToolReport split_pcap(PcapReader& in, PcapWriter& out);

// RAW packets -> USER0 records, one per GroTable output (header + bytes), feeding the table
// `batch` records at a time (0: the whole file as one batch). Records that are not IPv4/IPv6
// packets are rejected, as a TUN without packet info would refuse them. Throws PcapError when
// the input is not RAW or the output is not USER0, or on any read/write error.
ToolReport coalesce_pcap(PcapReader& in, PcapWriter& out, std::size_t batch = 0, offload::GroOptions options = {});

}  // namespace pcapio

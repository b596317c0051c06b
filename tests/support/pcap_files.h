#pragma once
// Whole pcap files as lists of records, for tests that write an input and read an output of the
// offload tool or save failing cases. Links tb_pcapio.
#include <cstdint>
#include <string>
#include <vector>

#include "pcapio/pcap_reader.h"
#include "pcapio/pcap_writer.h"

namespace tbtest {

// Every record of the file, in order; `dlt`, when given, receives its link type. Errors throw
// (pcapio::PcapError naming the file).
inline std::vector<std::vector<std::uint8_t>> read_pcap_records(const std::string& path, int* dlt = nullptr) {
  pcapio::PcapReader r(path);
  if (dlt) *dlt = r.linktype();
  std::vector<std::vector<std::uint8_t>> out;
  while (auto rec = r.next()) out.emplace_back(rec->bytes.begin(), rec->bytes.end());
  return out;
}

// A new file of link type `dlt` holding `records`.
inline void write_pcap_records(const std::string& path, int dlt,
                               const std::vector<std::vector<std::uint8_t>>& records) {
  pcapio::PcapWriter w(path, dlt);
  for (const auto& r : records) w.write(r);
  w.close();
}

}  // namespace tbtest

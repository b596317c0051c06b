#pragma once
// Writes a pcap file of one link type (pcap_open_dead + pcap_dump_open). Microsecond
// timestamps, snap length large enough for a vnet header plus a 64 KiB super-packet.
#include <sys/time.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

typedef struct pcap pcap_t;
typedef struct pcap_dumper pcap_dumper_t;

namespace pcapio {

class PcapWriter {
 public:
  static constexpr int kSnapLen = 262144;

  // `dlt` is kLinkRaw or kLinkUser0 (any DLT_ value works). Creates/truncates `path`.
  // Throws PcapError "PATH: <libpcap error>".
  PcapWriter(const std::string& path, int dlt);
  ~PcapWriter();  // closes quietly; call close() to learn about write errors
  PcapWriter(const PcapWriter&) = delete;
  PcapWriter& operator=(const PcapWriter&) = delete;

  // Appends one record. Throws PcapError when the record exceeds kSnapLen.
  void write(std::span<const std::uint8_t> bytes, timeval timestamp = {});
  // Flushes and closes; throws PcapError when anything written was lost (disk full, ...).
  void close();

  int linktype() const { return dlt_; }
  const std::string& path() const { return path_; }
  std::size_t records() const { return records_; }

 private:
  struct PcapCloser {
    void operator()(pcap_t* p) const;
  };
  struct DumperCloser {
    void operator()(pcap_dumper_t* d) const;
  };
  std::string path_;
  int dlt_;
  std::unique_ptr<pcap_t, PcapCloser> pcap_;
  std::unique_ptr<pcap_dumper_t, DumperCloser> dumper_;
  std::size_t records_ = 0;
};

}  // namespace pcapio

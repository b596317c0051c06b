#pragma once
// Reads a pcap file record by record with libpcap (pcap_open_offline), so any file Wireshark
// or tcpdump wrote is accepted, including nanosecond-resolution ones.
#include <sys/time.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

typedef struct pcap pcap_t;

namespace pcapio {

struct Record {
  std::span<const std::uint8_t> bytes;  // valid until the next call to next()
  timeval timestamp{};
  std::size_t number = 0;  // 1-based position in the file
};

class PcapReader {
 public:
  // Throws PcapError "PATH: <libpcap error>" when the file cannot be opened.
  explicit PcapReader(const std::string& path);
  ~PcapReader();
  PcapReader(const PcapReader&) = delete;
  PcapReader& operator=(const PcapReader&) = delete;

  // DLT_ value of the file (compare with kLinkRaw / kLinkUser0).
  int linktype() const;
  const std::string& path() const { return path_; }

  // The next record, or nothing at the end of the file. Throws PcapError "PATH: record N: ..."
  // on a read error or a record cut short by the capture's snap length, since a truncated
  // packet would be silently wrong everywhere downstream.
  std::optional<Record> next();

 private:
  struct Closer {
    void operator()(pcap_t* p) const;
  };
  std::string path_;
  std::unique_ptr<pcap_t, Closer> pcap_;
  std::size_t count_ = 0;
};

}  // namespace pcapio

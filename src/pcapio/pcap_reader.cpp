#include "pcapio/pcap_reader.h"

#include <string_view>

#include <fmt/format.h>
#include <pcap/pcap.h>

#include "pcapio/pcap_error.h"

namespace pcapio {

void PcapReader::Closer::operator()(pcap_t* p) const { pcap_close(p); }

PcapReader::PcapReader(const std::string& path) : path_(path) {
  char err[PCAP_ERRBUF_SIZE] = {};
  pcap_.reset(pcap_open_offline(path.c_str(), err));
  // libpcap's message often names the file already ("PATH: No such file or directory").
  if (!pcap_)
    throw PcapError(std::string_view(err).starts_with(path) ? std::string(err) : fmt::format("{}: {}", path, err));
}

PcapReader::~PcapReader() = default;

int PcapReader::linktype() const { return pcap_datalink(pcap_.get()); }

std::optional<Record> PcapReader::next() {
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  const int rc = pcap_next_ex(pcap_.get(), &header, &data);
  if (rc == PCAP_ERROR_BREAK) return std::nullopt;  // end of file
  const std::size_t number = count_ + 1;
  if (rc != 1) throw PcapError(fmt::format("{}: record {}: {}", path_, number, pcap_geterr(pcap_.get())));
  if (header->caplen < header->len)
    throw PcapError(fmt::format("{}: record {}: truncated by the snap length ({} of {} bytes captured)", path_, number,
                                header->caplen, header->len));
  count_ = number;
  return Record{std::span<const std::uint8_t>(data, header->caplen), header->ts, number};
}

}  // namespace pcapio

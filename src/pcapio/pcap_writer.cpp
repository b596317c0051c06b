#include "pcapio/pcap_writer.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fmt/format.h>
#include <pcap/pcap.h>

#include "pcapio/pcap_error.h"

namespace pcapio {

void PcapWriter::PcapCloser::operator()(pcap_t* p) const { pcap_close(p); }
void PcapWriter::DumperCloser::operator()(pcap_dumper_t* d) const { pcap_dump_close(d); }

PcapWriter::PcapWriter(const std::string& path, int dlt) : path_(path), dlt_(dlt) {
  pcap_.reset(pcap_open_dead(dlt, kSnapLen));
  if (!pcap_) throw PcapError(fmt::format("{}: cannot create a pcap handle for link type {}", path, dlt));
  dumper_.reset(pcap_dump_open(pcap_.get(), path.c_str()));
  if (!dumper_) throw PcapError(fmt::format("{}: {}", path, pcap_geterr(pcap_.get())));
}

PcapWriter::~PcapWriter() = default;

void PcapWriter::write(std::span<const std::uint8_t> bytes, timeval timestamp) {
  if (!dumper_) throw PcapError(fmt::format("{}: write after close", path_));
  if (bytes.size() > static_cast<std::size_t>(kSnapLen))
    throw PcapError(
        fmt::format("{}: record {}: {} bytes exceed the snap length {}", path_, records_ + 1, bytes.size(), kSnapLen));
  pcap_pkthdr header{};
  header.ts = timestamp;
  header.caplen = static_cast<bpf_u_int32>(bytes.size());
  header.len = header.caplen;
  // pcap_dump's signature predates const; it only reads the bytes.
  pcap_dump(reinterpret_cast<u_char*>(dumper_.get()), &header, bytes.data());
  ++records_;
}

void PcapWriter::close() {
  if (!dumper_) return;
  // pcap_dump() reports nothing, so the stdio stream's error flag is the only witness.
  const bool flushed = pcap_dump_flush(dumper_.get()) == 0;
  const bool stream_ok = std::ferror(pcap_dump_file(dumper_.get())) == 0;
  const int saved_errno = errno;
  pcap_dump_close(dumper_.release());  // fclose; its own error is caught by the checks above in practice
  if (!flushed || !stream_ok) throw PcapError(fmt::format("{}: write failed: {}", path_, std::strerror(saved_errno)));
}

}  // namespace pcapio

#include "pcapio/link_type.h"

#include <fmt/format.h>
#include <pcap/pcap.h>

#include "pcapio/pcap_error.h"

namespace pcapio {

std::string link_type_name(int dlt) {
  if (dlt == kLinkRaw) return "RAW (101)";
  if (dlt == kLinkUser0) return "USER0 (147)";
  const char* name = pcap_datalink_val_to_name(dlt);
  return fmt::format("{} (DLT {})", name ? name : "unknown", dlt);
}

void require_link_type(const std::string& path, int actual, int wanted, const char* what) {
  if (actual != wanted)
    throw PcapError(
        fmt::format("{}: link type {}, {} needs {}", path, link_type_name(actual), what, link_type_name(wanted)));
}

}  // namespace pcapio

#pragma once
// The two link types of our fixtures (docs/offload.md §11). The API uses libpcap's DLT_ values;
// libpcap maps them to LINKTYPE_ values in the file (DLT_RAW -> LINKTYPE_RAW 101 on disk,
// DLT_USER0 -> 147), which is what Wireshark and other readers see.
#include <string>

#include <pcap/dlt.h>

namespace pcapio {

// Plain IP packets, IPv4 or IPv6 by the first nibble.
inline constexpr int kLinkRaw = DLT_RAW;
// A 10-byte little-endian virtio_net_hdr, then the IP packet.
inline constexpr int kLinkUser0 = DLT_USER0;

// "RAW (101)", "USER0 (147)", or libpcap's name for anything else.
std::string link_type_name(int dlt);

// Throws PcapError "PATH: link type RAW (101), WHAT needs USER0 (147)" unless `actual` is `wanted`.
void require_link_type(const std::string& path, int actual, int wanted, const char* what);

}  // namespace pcapio

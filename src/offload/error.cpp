#include "offload/error.h"

namespace offload {

const char* to_string(Error e) {
  switch (e) {
    case Error::kVnetGsoType: return "vnet gso_type unsupported";
    case Error::kVnetGsoEcnOnUdp: return "vnet gso_type has ECN with UDP_L4";
    case Error::kVnetGsoSize: return "vnet gso_size invalid";
    case Error::kVnetNoNeedsCsum: return "vnet flags lack NEEDS_CSUM on a GSO packet";
    case Error::kVnetCsumStart: return "vnet csum_start is not the L4 offset or beyond the packet";
    case Error::kVnetCsumOffset: return "vnet csum_offset wrong or beyond the packet";
    case Error::kVnetHdrLen: return "vnet hdr_len shorter than the headers";
    case Error::kIpVersion: return "IP version not 4/6 or not matching the GSO type";
    case Error::kIpv4Header: return "IPv4 header length invalid";
    case Error::kIpv4Length: return "IPv4 total length does not match the packet";
    case Error::kIpv4Fragment: return "IPv4 fragment";
    case Error::kIpv6Length: return "IPv6 payload length does not match the packet";
    case Error::kIpv6ExtHeader: return "IPv6 extension header truncated";
    case Error::kIpv6Fragment: return "IPv6 fragment header";
    case Error::kL4Protocol: return "L4 protocol not the one the GSO type says";
    case Error::kTcpHeader: return "TCP data offset invalid or beyond the packet";
    case Error::kUdpHeader: return "UDP header beyond the packet";
    case Error::kTooManySegments: return "more segments than output slots";
    case Error::kOutputTooSmall: return "output slot smaller than a segment";
    case Error::kTruncated: return "packet shorter than its headers";
  }
  return "offload error";
}

const char* key(Error e) {
  switch (e) {
    case Error::kVnetGsoType: return "vnet-gso-type";
    case Error::kVnetGsoEcnOnUdp: return "vnet-gso-ecn-on-udp";
    case Error::kVnetGsoSize: return "vnet-gso-size";
    case Error::kVnetNoNeedsCsum: return "vnet-no-needs-csum";
    case Error::kVnetCsumStart: return "vnet-csum-start";
    case Error::kVnetCsumOffset: return "vnet-csum-offset";
    case Error::kVnetHdrLen: return "vnet-hdr-len";
    case Error::kIpVersion: return "ip-version";
    case Error::kIpv4Header: return "ipv4-header";
    case Error::kIpv4Length: return "ipv4-length";
    case Error::kIpv4Fragment: return "ipv4-fragment";
    case Error::kIpv6Length: return "ipv6-length";
    case Error::kIpv6ExtHeader: return "ipv6-ext-header";
    case Error::kIpv6Fragment: return "ipv6-fragment";
    case Error::kL4Protocol: return "l4-protocol";
    case Error::kTcpHeader: return "tcp-header";
    case Error::kUdpHeader: return "udp-header";
    case Error::kTooManySegments: return "too-many-segments";
    case Error::kOutputTooSmall: return "output-too-small";
    case Error::kTruncated: return "truncated";
  }
  return "offload-error";
}

Error from_vnet(vnet::Invalid reason) {
  switch (reason) {
    case vnet::Invalid::kGsoType: return Error::kVnetGsoType;
    case vnet::Invalid::kGsoEcnOnUdp: return Error::kVnetGsoEcnOnUdp;
    case vnet::Invalid::kGsoSizeZero:
    case vnet::Invalid::kGsoSizeMax: return Error::kVnetGsoSize;
    case vnet::Invalid::kNoNeedsCsum: return Error::kVnetNoNeedsCsum;
    case vnet::Invalid::kCsumStart: return Error::kVnetCsumStart;
    case vnet::Invalid::kCsumOffset: return Error::kVnetCsumOffset;
    case vnet::Invalid::kHdrLen: return Error::kVnetHdrLen;
  }
  return Error::kVnetGsoType;
}

}  // namespace offload

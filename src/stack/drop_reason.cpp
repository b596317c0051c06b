#include "stack/drop_reason.h"

namespace stack {

const char* to_string(Drop d) {
  switch (d) {
    case Drop::kVnetHeader: return "invalid vnet header";
    case Drop::kIpHeader: return "bad IP header";
    case Drop::kProtocol: return "not TCP or UDP";
    case Drop::kTcpHeader: return "bad TCP header";
    case Drop::kTcpChecksum: return "TCP checksum";
    case Drop::kUdpHeader: return "bad UDP header";
    case Drop::kUdpChecksum: return "UDP checksum";
    case Drop::kNoConnection: return "no connection (RST sent)";
    case Drop::kOutOfWindow: return "outside the window";
    case Drop::kOutOfOrder: return "out of order, not held";
    case Drop::kSocketFull: return "socket send buffer full";
    case Drop::kTooManyFlows: return "flow table full";
    case Drop::kUdpSend: return "UDP send error";
    case Drop::kUdpBufferFull: return "UDP send buffer full";
    case Drop::kUdpTooBig: return "UDP reply too big for one packet";
    case Drop::kTunWrite: return "TUN write refused";
  }
  return "unknown";
}

const char* key(Drop d) {
  switch (d) {
    case Drop::kVnetHeader: return "vnet-header";
    case Drop::kIpHeader: return "ip-header";
    case Drop::kProtocol: return "protocol";
    case Drop::kTcpHeader: return "tcp-header";
    case Drop::kTcpChecksum: return "tcp-checksum";
    case Drop::kUdpHeader: return "udp-header";
    case Drop::kUdpChecksum: return "udp-checksum";
    case Drop::kNoConnection: return "no-connection";
    case Drop::kOutOfWindow: return "out-of-window";
    case Drop::kOutOfOrder: return "out-of-order";
    case Drop::kSocketFull: return "socket-full";
    case Drop::kTooManyFlows: return "too-many-flows";
    case Drop::kUdpSend: return "udp-send";
    case Drop::kUdpBufferFull: return "udp-buffer-full";
    case Drop::kUdpTooBig: return "udp-too-big";
    case Drop::kTunWrite: return "tun-write";
  }
  return "unknown";
}

}  // namespace stack

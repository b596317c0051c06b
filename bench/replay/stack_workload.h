#pragma once
// What tunreplay feeds tunstack's engine (stack_row.h): one client flow through the stack, an
// upload (the client's segments or datagrams, built in advance) or a download (the server's bytes
// waiting in a fake kernel socket, the client's ACKs built as it receives the data), of a fixed
// number of segments. The client's packets are built with the project's encoders
// (packet::encode_tcp / encode_udp), shaped as tunstack's TUN (virtio-net header, TSO/USO and
// checksum offload granted) delivers them: 64 KB super-packets with NEEDS_CSUM and a partial
// checksum, MSS-sized segments with NEEDS_CSUM, or, for the rows that check checksums, complete
// checksums and no flags.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "stack/flow.h"
#include "workload.h"

namespace replay {

// Segments in one 64 KB TSO super-packet at MSS 1448 (IPv4) or 1428 (IPv6), as Linux builds them
// (gso_max_size 65536) and as the stack builds its own (whole segments within 65535 bytes of IP),
// and datagrams of 1472 bytes in one USO super-packet or UDP_GRO run.
inline constexpr std::size_t kTsoSegments = 45;
inline constexpr std::size_t kUsoDatagrams = 44;

enum class StackTraffic : std::uint8_t {
  kTcpUpload,    // client → server: handshake, then the client's data segments
  kTcpDownload,  // server → client: handshake, then the server's bytes; the client ACKs what it receives
  kUdpUpload,    // client → server datagrams (single, or USO super-packets)
  kUdpDownload,  // server → client: GRO runs from the socket, sent on as USO super-packets
};

struct StackWorkload {
  std::string name;
  StackTraffic traffic = StackTraffic::kTcpUpload;
  int version = 4;
  std::size_t segment_payload = 1448;  // payload bytes per segment (TCP: MSS less the timestamps) or datagram
  std::size_t per_packet = 1;          // segments per client packet (upload) or per socket read (UDP download)
  bool full_checksum = false;          // client packets carry complete checksums and no NEEDS_CSUM
  std::size_t batch = 4;               // packets the client has written per loop wake-up (upload), GRO runs
                                       // per socket event (UDP download)
  std::size_t packets = 0;             // client packets (upload) or server reads (download) in the row

  std::uint64_t segments() const { return static_cast<std::uint64_t>(packets) * per_packet; }
  std::uint64_t payload_bytes() const { return segments() * segment_payload; }
};

// Every stack workload, each sized to whole packets of at least `segments` segments.
std::vector<StackWorkload> stack_workloads(std::size_t segments);

// The row's flow: 10.0.1.1:40000 → 10.0.2.1:5201 (IPv6: fd00:1::1 → fd00:2::1).
stack::FlowKey stack_flow(int version, std::uint8_t protocol);

// The MSS tunstack advertises at its default MTU 1500 (TcpOptionsConfig in stack_row.cpp), and the
// one our client offers: MTU − 40, − 60 for IPv6.
std::uint16_t stack_mss(int version);

// One TCP segment from the client.
struct ClientSegment {
  std::uint32_t seq = 0;
  std::uint32_t ack = 0;
  std::uint8_t flags = 0;
  std::uint16_t window = 0;
  std::vector<std::uint8_t> options;  // a multiple of 4 bytes
  std::size_t payload = 0;            // bytes of payload (a fixed pattern)
  std::uint16_t gso_size = 0;         // != 0 and payload > gso_size: a TSO super-packet
  bool full_checksum = false;         // else NEEDS_CSUM with the partial checksum
};
Read client_tcp(const stack::FlowKey& flow, const ClientSegment& s);
// One UDP datagram from the client, or with gso_size a USO super-packet.
Read client_udp(const stack::FlowKey& flow, std::size_t payload, std::uint16_t gso_size, bool full_checksum);

// The client's SYN options: MSS, SACK-permitted, timestamps (value ts_val), window scale (shift).
std::vector<std::uint8_t> client_syn_options(std::uint16_t mss, std::uint32_t ts_val, std::uint8_t shift);
// The timestamps option of a later segment (NOP, NOP, TS): 12 bytes.
std::vector<std::uint8_t> client_ts_option(std::uint32_t ts_val, std::uint32_t ts_ecr);

// The client's data of a TCP upload once the handshake is done: w.packets segments (each
// w.per_packet × w.segment_payload bytes) from `seq` on, acknowledging `ack`, with timestamps.
std::vector<Read> tcp_upload(const StackWorkload& w, const stack::FlowKey& flow, std::uint32_t seq, std::uint32_t ack,
                             std::uint16_t window, std::uint32_t ts_val, std::uint32_t ts_ecr);
// The client's datagrams of a UDP upload.
std::vector<Read> udp_upload(const StackWorkload& w, const stack::FlowKey& flow);

}  // namespace replay

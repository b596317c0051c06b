#pragma once
// Where the datagrams of a UDP transfer through a system under test can be lost without the
// system itself losing them, stage by stage, as the kernel counts them inside the two test
// namespaces. A paced sender can outrun a forwarder for a moment on a busy machine, and the
// kernel then drops before the forwarder reads or after it wrote; a test that saw a datagram go
// missing can tell those drops from the forwarder's own (its counters) instead of guessing.
//
//   sender's namespace:   Udp SndbufErrors   the TUN's qdisc was full (sendmsg's ENOBUFS, which
//                                            UDP hides without IP_RECVERR), per packet
//                         TUN tx_dropped     the TUN's queue towards the forwarder was full, per packet
//   receiver's namespace: TUN rx_dropped     the kernel refused what the forwarder wrote, per packet
//                         Ip InDiscards      IP dropped a packet it had received, per packet
//                         Udp InErrors       the receiving socket's buffer was full (RcvbufErrors,
//                                            included) or a checksum failed, per datagram
// "Per packet": a UDP_SEGMENT burst or a super-packet a forwarder wrote is one packet until the
// kernel splits it, so one count stands for 1 to kMaxSegments datagrams.
#include <cstdint>
#include <string>

namespace harness {

struct UdpLossLedger {
  // UDP_MAX_SEGMENTS of the kernel (include/linux/udp.h): the most datagrams one packet carries.
  static constexpr std::uint64_t kMaxSegments = 64;

  std::uint64_t sender_sndbuf_errors = 0;
  std::uint64_t sender_tun_tx_dropped = 0;
  std::uint64_t receiver_tun_rx_dropped = 0;
  std::uint64_t receiver_ip_discards = 0;
  std::uint64_t receiver_udp_in_errors = 0;
  std::uint64_t receiver_rcvbuf_errors = 0;  // of receiver_udp_in_errors

  UdpLossLedger operator-(const UdpLossLedger& before) const;
  std::uint64_t per_packet_drops() const {
    return sender_sndbuf_errors + sender_tun_tx_dropped + receiver_tun_rx_dropped + receiver_ip_discards;
  }
  // The datagrams these drops stand for: at least one per packet, at most `per_packet` (1 when no
  // packet carried more than one datagram, kMaxSegments with UDP_SEGMENT or offloads).
  std::uint64_t least() const { return per_packet_drops() + receiver_udp_in_errors; }
  std::uint64_t most(std::uint64_t per_packet) const {
    return per_packet_drops() * per_packet + receiver_udp_in_errors;
  }
  // One line per stage, for a test's failure message or log.
  std::string describe() const;
};

// The counters now, read inside the namespaces (IPv6's UDP and IP counters when `ipv6`).
// Throws std::runtime_error naming the namespace, device or counter that could not be read.
UdpLossLedger read_udp_loss_ledger(const std::string& sender_ns, const std::string& sender_tun,
                                   const std::string& receiver_ns, const std::string& receiver_tun, bool ipv6);

}  // namespace harness

#include "check/case_registry.h"

#include <fnmatch.h>

#include <sstream>
#include <stdexcept>

#include "check/cases.h"

namespace check {

namespace {

// Shared by every bulk case: what "the stream and its packets are right" means.
constexpr const char* kBulkRule =
    "every byte arrives once and in order; every packet the forwarder writes has a valid IP header and length, a valid "
    "(or, with NEEDS_CSUM, completable) TCP checksum, is no larger than the MTU (a GSO super-packet: each segment), is "
    "a "
    "super-packet the offload engine accepts; PSH/FIN only end, CWR only starts, where a segment the forwarder read "
    "did";

// Shared by the gso-* cases: what a forwarder's split (or pass-through) must give.
constexpr const char* kSplitRule =
    "every segment written into the server's device (a super-packet written: as the offload engine cuts it) equals, "
    "byte for byte, the segment the kernel's own software segmentation makes of the same super-packet (the kernel "
    "oracle: a veth pair with segmentation off), so IP IDs count up, checksums are complete, CWR stays on the first "
    "segment only, PSH and FIN on the last only";

}  // namespace

const std::vector<Case>& all_cases() {
  static const std::vector<Case> table = {
      {"tcp-v4-bulk-up", "tcp", std::string("IPv4, client to server: ") + kBulkRule, cases::tcp_v4_bulk_up},
      {"tcp-v4-bulk-down", "tcp", std::string("IPv4, server to client: ") + kBulkRule, cases::tcp_v4_bulk_down},
      {"tcp-v4-bulk-both", "tcp", std::string("IPv4, both ways at once on one connection: ") + kBulkRule,
       cases::tcp_v4_bulk_both},
      {"tcp-v6-bulk-up", "tcp", std::string("IPv6, client to server: ") + kBulkRule, cases::tcp_v6_bulk_up},
      {"tcp-v6-bulk-down", "tcp", std::string("IPv6, server to client: ") + kBulkRule, cases::tcp_v6_bulk_down},
      {"tcp-v6-bulk-both", "tcp", std::string("IPv6, both ways at once on one connection: ") + kBulkRule,
       cases::tcp_v6_bulk_both},
      {"udp-v4", "udp",
       "IPv4 datagrams of 0 bytes to the largest unfragmented size, each way, one at a time: each arrives once and "
       "intact; every packet written has valid IP and UDP checksums (0 allowed on IPv4) and fits the MTU",
       cases::udp_v4},
      {"udp-v6", "udp",
       "IPv6 datagrams of 0 bytes to the largest unfragmented size, each way, one at a time: each arrives once and "
       "intact; every packet written has a valid UDP checksum, never 0, and fits the MTU",
       cases::udp_v6},
      {"udp-v4-gso", "udp",
       "IPv4 bursts of 2 to 64 equal datagrams (the last shorter) sent in one sendmsg with UDP_SEGMENT, each way: "
       "every datagram arrives once, intact and in order; every packet written keeps the rules of udp-v4 (a "
       "super-packet: one the offload engine accepts, each segment within the MTU)",
       cases::udp_v4_gso},
      {"udp-v6-gso", "udp",
       "IPv6 bursts of 2 to 64 equal datagrams (the last shorter) sent in one sendmsg with UDP_SEGMENT, each way: "
       "every datagram arrives once, intact and in order; every packet written keeps the rules of udp-v6 (never "
       "checksum 0)",
       cases::udp_v6_gso},
      {"crafted-v4-options", "crafted",
       "UDP and TCP over IPv4 with options (NOP + timestamp, NOP + record route; IHL 9 and 8), injected into the "
       "client's device: each is written into the server's device byte for byte as the forwarder read it",
       cases::crafted_v4_options},
      {"crafted-v6-ext-headers", "crafted",
       "UDP and TCP over IPv6 behind hop-by-hop and destination-options headers, injected into the client's device: "
       "each is written into the server's device byte for byte as the forwarder read it",
       cases::crafted_v6_ext_headers},
      {"crafted-icmp-echo", "crafted",
       "ICMP and ICMPv6 echo requests of 8 bytes of data up to the largest unfragmented size, injected into the "
       "client's device, and the server kernel's replies: each crosses byte for byte as the forwarder read it",
       cases::crafted_icmp_echo},
      {"crafted-bad-checksums", "crafted",
       "TCP and UDP, IPv4 and IPv6, with a wrong L4 checksum, and IPv4 with a wrong header checksum, injected into "
       "the client's device: each is written with the same wrong checksum, byte for byte as read, never repaired",
       cases::crafted_bad_checksums},
      {"crafted-no-coalesce", "crafted",
       "back-to-back runs of TCP segments of one flow whose neighbours differ in TTL, TOS, IPv4 ID (not counting "
       "up), PSH in the middle, IPv6 hop limit, traffic class or flow label: after cutting any super-packet with the "
       "offload engine, every segment arrives byte for byte as read, its own header fields intact; no write merges "
       "what the kernel's own GRO keeps apart (the kernel oracle: the same packets through a veth pair)",
       cases::crafted_no_coalesce},
      {"crafted-fragments", "crafted",
       "IPv4 fragments (DF clear; first, middle and last of a UDP datagram and of a TCP segment) and IPv6 fragments "
       "(Fragment header; of a UDP datagram, of a TCP segment, and of a UDP datagram behind hop-by-hop), and lone "
       "later fragments whose data reads as a UDP or TCP header of the flow, injected into the client's device: every "
       "fragment is written into the server's device byte for byte as the forwarder read it, never merged, cut or "
       "treated as a UDP datagram or TCP segment; no write merges what the kernel's own GRO keeps apart",
       cases::crafted_fragments},
      {"crafted-tcp-flags", "crafted",
       "runs of TCP segments of one flow over IPv4 and IPv6 with URG and an urgent pointer on the middle segment, ECE "
       "on every segment, or CWR on the middle segment: after cutting any super-packet with the offload engine, every "
       "segment arrives byte for byte as read, its flags and urgent pointer intact; no write merges what the kernel's "
       "own GRO keeps apart",
       cases::crafted_tcp_flags},
      {"crafted-sizes", "crafted",
       "TCP pure ACKs and empty UDP datagrams, and 1-byte payloads, over IPv4 and IPv6 (the tag in an experimental "
       "TCP, IPv4 or IPv6 destination option), and TCP and UDP packets of exactly the MTU: each is written into the "
       "server's device byte for byte as the forwarder read it",
       cases::crafted_sizes},
      {"gso-tcp-v4-split", "gso",
       std::string("TCP/IPv4 super-packets read with a GSO header (TSO4) from the client's device: ") + kSplitRule +
           "; N/A when the forwarder did not negotiate TSO4",
       cases::gso_tcp_v4_split},
      {"gso-tcp-v6-split", "gso",
       std::string("TCP/IPv6 super-packets read with a GSO header (TSO6) from the client's device: ") + kSplitRule +
           "; N/A when the forwarder did not negotiate TSO6",
       cases::gso_tcp_v6_split},
      {"gso-udp-split", "gso",
       std::string("UDP super-packets over IPv4 and IPv6 (7 datagrams + a shorter one; 64 of 100 bytes) read with a "
                   "GSO header (USO) from the client's device: ") +
           kSplitRule + "; N/A when the forwarder did not negotiate USO",
       cases::gso_udp_split},
      {"robustness-receiver-stopped", "robustness",
       "UDP at line rate for 0.5 s to a socket that is never read: the forwarder survives, uses under 10 % of a CPU "
       "while idle afterwards (no busy loop), and still forwards",
       cases::robustness_receiver_stopped},
      {"robustness-sigterm", "robustness", "SIGTERM in the middle of a TCP transfer: the forwarder exits within 1 s",
       cases::robustness_sigterm, true},
      {"robustness-tun-deleted", "robustness",
       "the receiving TUN deleted in the middle of a TCP transfer: the forwarder exits within 2 s, by itself, with a "
       "message on stderr, not by a signal and without a sanitizer report",
       cases::robustness_tun_deleted, true},
  };
  return table;
}

std::vector<const Case*> select_cases(const std::string& patterns) {
  std::vector<std::string> list;
  std::stringstream in(patterns);
  for (std::string p; std::getline(in, p, ',');)
    if (!p.empty()) list.push_back(p);
  std::vector<const Case*> chosen;
  for (const auto& c : all_cases()) {
    bool match = list.empty();
    for (const auto& p : list) match = match || ::fnmatch(p.c_str(), c.name.c_str(), 0) == 0;
    if (match) chosen.push_back(&c);
  }
  for (const auto& p : list) {
    bool any = false;
    for (const auto& c : all_cases()) any = any || ::fnmatch(p.c_str(), c.name.c_str(), 0) == 0;
    if (!any) throw std::invalid_argument("--cases: '" + p + "' matches no case (tunbench check --list shows them)");
  }
  return chosen;
}

}  // namespace check

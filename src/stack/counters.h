#pragma once
// What the stack did, for the exit summary and `tunstack --stats-json` (format tunstack-stats/1).
// The stack is single-threaded: plain counters.
#include <array>
#include <cstdint>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "stack/drop_reason.h"

namespace stack {

struct StackCounters {
  std::uint64_t packets_in = 0;           // packets read from the TUN (a GSO super-packet counts 1)
  std::uint64_t packets_out = 0;          // packets written to the TUN
  std::uint64_t bytes_to_sockets = 0;     // payload bytes the kernel sockets accepted from the client
  std::uint64_t bytes_to_client = 0;      // payload bytes sent to the client (retransmissions included)
  std::uint64_t bytes_held = 0;           // client bytes that arrived beyond a gap and were held
  std::uint64_t bytes_reassembled = 0;    // … and went to a socket once the gap was filled
  std::uint64_t tcp_opened = 0;           // connections the client opened that reached their server
  std::uint64_t tcp_refused = 0;          // … whose server refused or could not be reached (RST sent)
  std::uint64_t tcp_closed = 0;           // connections that ended with FINs both ways
  std::uint64_t tcp_reset = 0;            // connections that ended with a RST either way
  std::uint64_t tcp_expired = 0;          // connections removed by a timeout
  std::uint64_t retransmits_fast = 0;     // resends after duplicate ACKs
  std::uint64_t retransmits_timeout = 0;  // resends after the retransmission timer
  std::uint64_t holes_resent = 0;         // packets resent into holes the client SACKed around
  std::uint64_t window_probes = 0;        // zero-window probes sent to the client
  std::uint64_t udp_flows = 0;            // UDP flows opened
  std::uint64_t udp_datagrams_in = 0;     // datagrams relayed client → server
  std::uint64_t udp_datagrams_out = 0;    // datagrams relayed server → client
  std::array<std::uint64_t, kDropCount> drops{};

  void drop(Drop d, std::uint64_t n = 1) { drops[static_cast<std::size_t>(d)] += n; }
  std::uint64_t dropped(Drop d) const { return drops[static_cast<std::size_t>(d)]; }
  std::uint64_t dropped() const;

  // One paragraph for people: "tunstack: packets in 12 out 14 …; drops 0".
  std::string format() const;
};

nlohmann::json to_json(const StackCounters& c);

}  // namespace stack

#include "stack/counters.h"

#include <numeric>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace stack {

std::uint64_t StackCounters::dropped() const { return std::accumulate(drops.begin(), drops.end(), std::uint64_t{0}); }

std::string StackCounters::format() const {
  std::string s = fmt::format(
      "tunstack: packets in {} out {}; bytes to sockets {} to client {} held {} reassembled {}; tcp opened {} refused "
      "{} closed {} reset {} "
      "expired {}; retransmits fast {} timeout {} holes resent {}; window probes {}; udp flows {} datagrams in {} out "
      "{}; drops {}",
      packets_in, packets_out, bytes_to_sockets, bytes_to_client, bytes_held, bytes_reassembled, tcp_opened,
      tcp_refused, tcp_closed, tcp_reset, tcp_expired, retransmits_fast, retransmits_timeout, holes_resent,
      window_probes, udp_flows, udp_datagrams_in, udp_datagrams_out, dropped());
  if (dropped() != 0) {
    s += " (";
    bool first = true;
    for (std::size_t i = 0; i < kDropCount; ++i) {
      if (drops[i] == 0) continue;
      s += fmt::format("{}{} {}", first ? "" : ", ", to_string(static_cast<Drop>(i)), drops[i]);
      first = false;
    }
    s += ")";
  }
  return s + "\n";
}

nlohmann::json to_json(const StackCounters& c) {
  nlohmann::json drops = nlohmann::json::object();
  for (std::size_t i = 0; i < kDropCount; ++i)
    if (c.drops[i] != 0) drops[key(static_cast<Drop>(i))] = c.drops[i];
  return {{"format", "tunstack-stats/1"},
          {"packets_in", c.packets_in},
          {"packets_out", c.packets_out},
          {"bytes_to_sockets", c.bytes_to_sockets},
          {"bytes_to_client", c.bytes_to_client},
          {"bytes_held", c.bytes_held},
          {"bytes_reassembled", c.bytes_reassembled},
          {"tcp_opened", c.tcp_opened},
          {"tcp_refused", c.tcp_refused},
          {"tcp_closed", c.tcp_closed},
          {"tcp_reset", c.tcp_reset},
          {"tcp_expired", c.tcp_expired},
          {"retransmits_fast", c.retransmits_fast},
          {"retransmits_timeout", c.retransmits_timeout},
          {"holes_resent", c.holes_resent},
          {"window_probes", c.window_probes},
          {"udp_flows", c.udp_flows},
          {"udp_datagrams_in", c.udp_datagrams_in},
          {"udp_datagrams_out", c.udp_datagrams_out},
          {"dropped", c.dropped()},
          {"drops", drops}};
}

}  // namespace stack

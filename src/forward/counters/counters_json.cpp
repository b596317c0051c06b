#include "forward/counters/counters_json.h"

#include <nlohmann/json.hpp>

namespace forward {

nlohmann::json direction_json(const std::string& from, const std::string& to, const Tally& t) {
  nlohmann::json drops = nlohmann::json::object();
  for (std::size_t i = 0; i < kDropReasonCount; ++i)
    if (t.drops[i] != 0) drops[key(static_cast<DropReason>(i))] = t.drops[i];
  return {{"from", from},
          {"to", to},
          {"reads", t.reads},
          {"packets", t.packets},
          {"written", t.written},
          {"writes", t.writes},
          {"bytes", t.bytes},
          {"batches", t.batches},
          {"gso_fallbacks", t.gso_fallbacks},
          {"dropped", t.dropped()},
          {"drops", drops}};
}

nlohmann::json counters_json(const Counters& c) {
  return {{"format", "tunfwd-stats/1"},
          {"directions",
           {direction_json(c.from(0), c.to(0), c.snapshot(0)), direction_json(c.from(1), c.to(1), c.snapshot(1))}}};
}

}  // namespace forward

#include "harness/forwarder_stats.h"

#include <numeric>
#include <stdexcept>

#include "harness/command.h"

namespace harness {

namespace {

std::uint64_t count(const nlohmann::json& j, const char* key, std::size_t direction) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_number_unsigned())
    throw std::runtime_error("tunfwd stats: directions[" + std::to_string(direction) + "]." + key +
                             ": missing or not a count");
  return it->get<std::uint64_t>();
}

}  // namespace

std::uint64_t DirectionStats::reason_sum() const {
  return std::accumulate(drops.begin(), drops.end(), std::uint64_t{0},
                         [](std::uint64_t s, const auto& d) { return s + d.second; });
}

std::uint64_t DirectionStats::dropped_for(const std::string& reason) const {
  const auto it = drops.find(reason);
  return it == drops.end() ? 0 : it->second;
}

std::uint64_t ForwarderStats::dropped() const {
  std::uint64_t n = 0;
  for (const auto& d : directions) n += d.dropped;
  return n;
}

ForwarderStats parse_forwarder_stats(const nlohmann::json& j) {
  if (!j.is_object() || j.value("format", "") != "tunfwd-stats/1")
    throw std::runtime_error("tunfwd stats: format tunfwd-stats/1 expected");
  ForwarderStats s;
  s.mode = j.value("mode", "");
  s.ok = j.value("ok", false);
  s.error = j.value("error", "");
  const auto dirs = j.find("directions");
  if (dirs == j.end() || !dirs->is_array() || dirs->size() != 2)
    throw std::runtime_error("tunfwd stats: directions: expected two (one each way)");
  for (std::size_t i = 0; i < dirs->size(); ++i) {
    const auto& d = (*dirs)[i];
    DirectionStats ds;
    ds.from = d.value("from", "");
    ds.to = d.value("to", "");
    if (ds.from.empty() || ds.to.empty())
      throw std::runtime_error("tunfwd stats: directions[" + std::to_string(i) + "]: from/to missing");
    ds.reads = count(d, "reads", i);
    ds.packets = count(d, "packets", i);
    ds.written = count(d, "written", i);
    ds.writes = count(d, "writes", i);
    ds.bytes = count(d, "bytes", i);
    ds.batches = count(d, "batches", i);
    ds.gso_fallbacks = count(d, "gso_fallbacks", i);
    ds.dropped = count(d, "dropped", i);
    const auto drops = d.value("drops", nlohmann::json::object());
    for (const auto& [reason, n] : drops.items()) {
      if (!n.is_number_unsigned())
        throw std::runtime_error("tunfwd stats: directions[" + std::to_string(i) + "].drops." + reason +
                                 ": not a count");
      ds.drops[reason] = n.get<std::uint64_t>();
    }
    s.directions.push_back(std::move(ds));
  }
  return s;
}

std::optional<ForwarderStats> read_forwarder_stats(const std::string& path) {
  const auto text = read_file(path);
  if (text.empty()) return std::nullopt;
  const auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded()) throw std::runtime_error(path + ": not JSON");
  return parse_forwarder_stats(j);
}

}  // namespace harness

#include "os/cpu_placement.h"

#include <sched.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace os {

namespace {

std::string join(const std::vector<int>& cpus) { return fmt::format("{}", fmt::join(cpus, ",")); }

std::optional<int> to_cpu(std::string_view s) {
  int v = -1;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size() || v < 0 || v >= CPU_SETSIZE) return std::nullopt;
  return v;
}

}  // namespace

std::string CpuPlacement::describe() const {
  if (cpus.empty()) return "not pinned";
  return (cpus.size() == 1 ? "cpu " : "cpus ") + join(cpus);
}

std::optional<CpuPlacement> parse_cpu_placement(std::string_view spec, const std::vector<int>& allowed,
                                                std::string& error) {
  CpuPlacement p;
  if (spec == "none") return p;
  if (spec == "auto") {
    // One CPU for the forwarder only makes sense when something else can use the others.
    if (allowed.size() >= 2) p.cpus = {allowed.back()};
    return p;
  }
  std::string_view rest = spec;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    const std::string_view item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    const auto dash = item.find('-');
    const auto first = to_cpu(item.substr(0, dash));
    const auto last = dash == std::string_view::npos ? first : to_cpu(item.substr(dash + 1));
    if (!first || !last || *last < *first) {
      error = fmt::format("--cpus {}: '{}' is not a CPU number or range (expected auto, none, or e.g. 1 or 0,2-3)",
                          spec, item);
      return std::nullopt;
    }
    for (int c = *first; c <= *last; ++c) {
      if (!std::binary_search(allowed.begin(), allowed.end(), c)) {
        error = fmt::format("--cpus {}: CPU {} is not available to this process (allowed: {})", spec, c, join(allowed));
        return std::nullopt;
      }
      p.cpus.push_back(c);
    }
  }
  std::sort(p.cpus.begin(), p.cpus.end());
  p.cpus.erase(std::unique(p.cpus.begin(), p.cpus.end()), p.cpus.end());
  if (p.cpus.empty()) {
    error = fmt::format("--cpus '{}': empty CPU list", spec);
    return std::nullopt;
  }
  return p;
}

std::vector<int> allowed_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::vector<int> cpus;
  if (sched_getaffinity(0, sizeof set, &set) != 0) return cpus;
  for (int c = 0; c < CPU_SETSIZE; ++c)
    if (CPU_ISSET(c, &set)) cpus.push_back(c);
  return cpus;
}

std::string apply_cpu_placement(const CpuPlacement& placement) {
  if (!placement.pinned()) return {};
  cpu_set_t set;
  CPU_ZERO(&set);
  for (int c : placement.cpus) CPU_SET(c, &set);
  if (sched_setaffinity(0, sizeof set, &set) != 0)
    return fmt::format("sched_setaffinity({}): {}", placement.describe(), std::strerror(errno));
  return {};
}

}  // namespace os

#include "harness/proc_parse.h"

#include <charconv>
#include <vector>

namespace harness {
namespace {

std::vector<std::string_view> split_ws(std::string_view text) {
  std::vector<std::string_view> fields;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n')) ++i;
    const std::size_t start = i;
    while (i < text.size() && text[i] != ' ' && text[i] != '\t' && text[i] != '\n') ++i;
    if (i > start) fields.push_back(text.substr(start, i - start));
  }
  return fields;
}

template <typename T>
bool to_number(std::string_view text, T& value) {
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && ptr == text.data() + text.size();
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) text.remove_suffix(1);
  return text;
}

}  // namespace

std::optional<PidStat> parse_pid_stat(std::string_view text) {
  const auto open = text.find('(');
  const auto close = text.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) return std::nullopt;
  PidStat stat;
  if (!to_number(trim(text.substr(0, open)), stat.pid)) return std::nullopt;
  stat.comm = std::string(text.substr(open + 1, close - open - 1));
  // After ")": field 3 (state) is rest[0]; field N is rest[N - 3].
  const auto rest = split_ws(text.substr(close + 1));
  if (rest.size() < 20 || rest[0].size() != 1) return std::nullopt;
  stat.state = rest[0][0];
  if (!to_number(rest[1], stat.ppid) || !to_number(rest[14 - 3], stat.utime) || !to_number(rest[15 - 3], stat.stime) ||
      !to_number(rest[22 - 3], stat.starttime))
    return std::nullopt;
  return stat;
}

std::optional<std::uint64_t> parse_vmrss_kb(std::string_view status) {
  std::size_t pos = 0;
  while (pos < status.size()) {
    auto end = status.find('\n', pos);
    if (end == std::string_view::npos) end = status.size();
    const auto line = status.substr(pos, end - pos);
    if (line.starts_with("VmRSS:")) {
      const auto fields = split_ws(line.substr(6));
      std::uint64_t kb = 0;
      if (fields.empty() || !to_number(fields[0], kb)) return std::nullopt;
      return kb;
    }
    pos = end + 1;
  }
  return std::nullopt;
}

std::optional<CpuTimes> parse_proc_stat_cpu(std::string_view proc_stat) {
  if (!proc_stat.starts_with("cpu ")) return std::nullopt;
  const auto fields = split_ws(proc_stat.substr(0, proc_stat.find('\n')));
  if (fields.size() < 9) return std::nullopt;
  CpuTimes t;
  std::uint64_t* slots[] = {&t.user, &t.nice, &t.system, &t.idle, &t.iowait, &t.irq, &t.softirq, &t.steal};
  for (std::size_t i = 0; i < 8; ++i)
    if (!to_number(fields[i + 1], *slots[i])) return std::nullopt;
  return t;
}

namespace {

// Calls `line` with each line of `text` until it returns true.
template <typename Line>
void for_each_line(std::string_view text, const Line& line) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    if (line(text.substr(pos, end - pos))) return;
    pos = end + 1;
  }
}

}  // namespace

std::optional<std::uint64_t> parse_snmp_counter(std::string_view snmp, std::string_view protocol,
                                                std::string_view field) {
  std::vector<std::string_view> names;
  std::optional<std::uint64_t> value;
  for_each_line(snmp, [&](std::string_view line) {
    const auto fields = split_ws(line);
    if (fields.empty() || fields[0].size() != protocol.size() + 1 || !fields[0].starts_with(protocol) ||
        fields[0].back() != ':')
      return false;
    if (names.empty()) {  // the first line of the protocol names the fields
      names = fields;
      return false;
    }
    for (std::size_t i = 1; i < names.size() && i < fields.size(); ++i) {
      std::uint64_t v = 0;
      if (names[i] == field && to_number(fields[i], v)) value = v;
    }
    return true;
  });
  return value;
}

std::optional<std::uint64_t> parse_snmp6_counter(std::string_view snmp6, std::string_view name) {
  std::optional<std::uint64_t> value;
  for_each_line(snmp6, [&](std::string_view line) {
    const auto fields = split_ws(line);
    std::uint64_t v = 0;
    if (fields.size() != 2 || fields[0] != name || !to_number(fields[1], v)) return false;
    value = v;
    return true;
  });
  return value;
}

std::string parse_cpu_model(std::string_view cpuinfo) {
  std::string model = "unknown";
  for_each_line(cpuinfo, [&](std::string_view line) {
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || trim(line.substr(0, colon)) != "model name") return false;
    model = std::string(trim(line.substr(colon + 1)));
    return true;
  });
  return model;
}

}  // namespace harness

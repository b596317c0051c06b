#include "detgate/callgrind_dump.h"

#include <sstream>
#include <stdexcept>
#include <unordered_map>

namespace detgate {

namespace {

std::vector<std::string> split_words(const std::string& s) {
  std::istringstream is(s);
  std::vector<std::string> out;
  for (std::string w; is >> w;) out.push_back(w);
  return out;
}

// "(12) name" defines id 12; "(12)" refers to it; a plain name is itself.
std::string resolve_name(const std::string& value, std::unordered_map<std::string, std::string>& names) {
  if (value.empty() || value[0] != '(') return value;
  const auto close = value.find(')');
  if (close == std::string::npos) return value;
  const std::string id = value.substr(0, close + 1);
  std::string rest = value.substr(close + 1);
  if (!rest.empty() && rest[0] == ' ') rest.erase(0, 1);
  if (rest.empty()) {
    const auto it = names.find(id);
    return it == names.end() ? value : it->second;
  }
  names[id] = rest;
  return rest;
}

bool is_cost_line(const std::string& line) {
  const char c = line[0];
  return (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '*';
}

}  // namespace

std::optional<std::uint64_t> CallgrindDump::total(const std::string& event) const {
  for (std::size_t i = 0; i < events.size(); ++i)
    if (events[i] == event) return i < totals.size() ? totals[i] : 0;
  return std::nullopt;
}

std::optional<std::uint64_t> CallgrindDump::estimated_cycles() const {
  const auto ir = total("Ir");
  const auto i1 = total("I1mr"), d1r = total("D1mr"), d1w = total("D1mw");
  const auto il = total("ILmr"), dlr = total("DLmr"), dlw = total("DLmw");
  if (!ir || !i1 || !d1r || !d1w || !il || !dlr || !dlw) return std::nullopt;
  return *ir + 10 * (*i1 + *d1r + *d1w) + 100 * (*il + *dlr + *dlw);
}

CallgrindDump parse_callgrind(std::istream& in) {
  CallgrindDump d;
  std::unordered_map<std::string, std::string> fn_names;
  std::string fn;
  std::size_t positions = 1;  // columns before the costs ("positions: line" or "instr line")
  bool next_is_call_cost = false;
  bool header_seen = false;
  std::string line;
  std::size_t number = 0;
  const std::string trigger = "desc: Trigger: Client Request: ";
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line[0] == '#') continue;
    if (is_cost_line(line)) {
      if (next_is_call_cost) {  // the inclusive cost of a call: the callee's, not this function's
        next_is_call_cost = false;
        continue;
      }
      const auto words = split_words(line);
      if (words.size() > positions && !fn.empty()) d.self_ir[fn] += std::stoull(words[positions]);
      continue;
    }
    if (line.rfind("fn=", 0) == 0) {
      fn = resolve_name(line.substr(3), fn_names);
    } else if (line.rfind("cfn=", 0) == 0) {
      resolve_name(line.substr(4), fn_names);  // may define a name used later by fn=
    } else if (line.rfind("calls=", 0) == 0) {
      next_is_call_cost = true;
    } else if (line.rfind("events:", 0) == 0) {
      d.events = split_words(line.substr(7));
      header_seen = true;
    } else if (line.rfind("positions:", 0) == 0) {
      positions = split_words(line.substr(10)).size();
    } else if (line.rfind("totals:", 0) == 0) {
      d.totals.clear();
      for (const auto& w : split_words(line.substr(7))) d.totals.push_back(std::stoull(w));
    } else if (line.rfind(trigger, 0) == 0) {
      d.label = line.substr(trigger.size());
    } else if (line.rfind("version:", 0) == 0 || line.rfind("creator:", 0) == 0 || line.rfind("desc:", 0) == 0 ||
               line.rfind("cmd:", 0) == 0 || line.rfind("pid:", 0) == 0 || line.rfind("part:", 0) == 0 ||
               line.rfind("summary:", 0) == 0 || line.rfind("thread:", 0) == 0 || line.find('=') != std::string::npos) {
      // ob=, fl=, fi=, fe=, cob=, cfi=, jump=, jcnd= and the header lines carry nothing we use
    } else {
      throw std::runtime_error("callgrind dump: line " + std::to_string(number) + " is not callgrind format: " + line);
    }
  }
  if (!header_seen) throw std::runtime_error("callgrind dump: no events: line (not a callgrind.out file?)");
  return d;
}

}  // namespace detgate

#include "report/flame_fold.h"

#include <algorithm>
#include <array>
#include <cctype>

#include <fmt/format.h>

namespace report {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool all_of(std::string_view s, int (*pred)(int)) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [pred](char c) { return pred(static_cast<unsigned char>(c)); });
}

// "1234" or "1234/1235": the pid (and tid) field that ends the comm in a header line.
bool is_pid_field(std::string_view token) {
  const auto slash = token.find('/');
  if (slash == std::string_view::npos) return all_of(token, ::isdigit);
  return all_of(token.substr(0, slash), ::isdigit) && all_of(token.substr(slash + 1), ::isdigit);
}

std::vector<std::string_view> tokens(std::string_view line) {
  std::vector<std::string_view> out;
  for (std::size_t i = 0; i < line.size();) {
    while (i < line.size() && is_space(line[i])) ++i;
    const std::size_t start = i;
    while (i < line.size() && !is_space(line[i])) ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

// The comm of a header line, or "" when the line is not a header. A comm may contain spaces
// ("Web Content"): it is everything before the first pid field.
std::string header_comm(std::string_view line) {
  const auto t = tokens(line);
  for (std::size_t i = 1; i < t.size(); ++i) {
    if (!is_pid_field(t[i])) continue;
    std::string comm;
    for (std::size_t j = 0; j < i; ++j) {
      if (j > 0) comm += '_';
      comm += t[j];
    }
    return comm;
  }
  return {};
}

// Dsos that are user space even though perf names them in brackets.
bool user_pseudo_dso(std::string_view dso) {
  static constexpr std::array<std::string_view, 7> kUser{"[unknown]", "[vdso]", "[vsyscall]", "[heap]",
                                                         "[stack]",   "[anon]", "[uprobes]"};
  return std::find(kUser.begin(), kUser.end(), dso) != kUser.end();
}

bool kernel_dso(std::string_view dso) {
  if (dso.ends_with("vmlinux")) return true;
  return dso.starts_with('[') && dso.ends_with(']') && !user_pseudo_dso(dso);
}

// "sym+0x1f" → "sym". Only a trailing hex offset: "operator+" and "a+b" stay.
std::string_view strip_offset(std::string_view symbol) {
  const auto plus = symbol.rfind("+0x");
  if (plus == std::string_view::npos || plus == 0) return symbol;
  return all_of(symbol.substr(plus + 3), ::isxdigit) ? symbol.substr(0, plus) : symbol;
}

// `addr symbol (dso)` → the folded frame name. The dso is the last parenthesised group, found
// by matching parentheses from the end: a symbol may hold "(anonymous namespace)" or
// "f(int) const", a dso "(/path (deleted))".
std::string frame_name(std::string_view frame, std::size_t line_no) {
  const auto address_end = std::find_if(frame.begin(), frame.end(), is_space) - frame.begin();
  const auto address = frame.substr(0, static_cast<std::size_t>(address_end));
  if (!all_of(address, ::isxdigit))
    throw FoldError(fmt::format("perf script line {}: expected a frame `address symbol (dso)`, got '{}'", line_no,
                                std::string(frame)));
  const auto rest = trim(frame.substr(address.size()));
  std::size_t open = std::string_view::npos;
  if (rest.ends_with(')')) {
    int depth = 0;
    for (std::size_t i = rest.size(); i-- > 0;) {
      if (rest[i] == ')') ++depth;
      if (rest[i] == '(' && --depth == 0) {
        open = i;
        break;
      }
    }
  }
  if (open == std::string_view::npos)
    throw FoldError(fmt::format("perf script line {}: frame '{}' does not end with its dso in parentheses", line_no,
                                std::string(frame)));
  const auto dso = rest.substr(open + 1, rest.size() - open - 2);
  std::string_view symbol = strip_offset(trim(rest.substr(0, open)));
  std::string name;
  if (symbol.empty() || symbol == "[unknown]") {
    if (dso.empty() || dso == "[unknown]") {
      name = "[unknown]";
    } else if (dso.starts_with('[')) {
      name = std::string(dso);
    } else {
      name = fmt::format("[{}]", dso.substr(dso.rfind('/') + 1));
    }
  } else {
    name = std::string(symbol);
  }
  std::replace(name.begin(), name.end(), ';', ':');
  if (kernel_dso(dso)) name += "_[k]";
  return name;
}

}  // namespace

FoldedStacks fold_perf_script(std::string_view text) {
  FoldedStacks folded;
  std::string comm;                 // of the sample being read; empty between samples
  std::vector<std::string> frames;  // leaf first, as perf prints them
  bool in_sample = false;
  auto finish = [&] {
    if (!in_sample) return;
    std::string stack = comm;
    for (auto it = frames.rbegin(); it != frames.rend(); ++it) {
      stack += ';';
      stack += *it;
    }
    ++folded[stack];
    frames.clear();
    in_sample = false;
  };
  std::size_t line_no = 0;
  for (std::size_t pos = 0; pos < text.size();) {
    auto end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const auto line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    const auto content = trim(line);
    if (content.empty()) {
      finish();
    } else if (!is_space(line.front()) || !in_sample) {
      // A header: at column 0 when perf prints call chains, padded to 16 columns without them.
      finish();  // a header right after a sample's frames: perf always puts a blank line, but be lenient
      comm = header_comm(content);
      if (comm.empty())
        throw FoldError(fmt::format(
            "perf script line {}: expected a sample header `comm pid/tid ... time: period event:`, got '{}'", line_no,
            std::string(content)));
      in_sample = true;
    } else {
      frames.push_back(frame_name(content, line_no));
    }
  }
  finish();
  return folded;
}

void merge_folded(FoldedStacks& into, const FoldedStacks& from) {
  for (const auto& [stack, count] : from) into[stack] += count;
}

std::uint64_t total_samples(const FoldedStacks& folded) {
  std::uint64_t total = 0;
  for (const auto& entry : folded) total += entry.second;
  return total;
}

std::vector<std::pair<std::string, std::uint64_t>> top_stacks(const FoldedStacks& folded, std::size_t n) {
  std::vector<std::pair<std::string, std::uint64_t>> all(folded.begin(), folded.end());
  std::stable_sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  if (all.size() > n) all.resize(n);
  return all;
}

std::string folded_text(const FoldedStacks& folded) {
  std::string out;
  for (const auto& [stack, count] : folded) out += fmt::format("{} {}\n", stack, count);
  return out;
}

}  // namespace report

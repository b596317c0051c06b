#include "detgate/function_diff.h"

#include <algorithm>
#include <cmath>

namespace detgate {

std::vector<FunctionChange> top_function_changes(const std::map<std::string, std::uint64_t>& base,
                                                 const std::map<std::string, std::uint64_t>& head, std::size_t count) {
  std::map<std::string, FunctionChange> all;
  for (const auto& [fn, ir] : base) all[fn] = {fn, ir, 0};
  for (const auto& [fn, ir] : head) {
    auto& c = all[fn];
    c.function = fn;
    c.head = ir;
  }
  std::vector<FunctionChange> out;
  for (auto& [fn, c] : all)
    if (c.base != c.head) out.push_back(c);
  std::sort(out.begin(), out.end(), [](const FunctionChange& a, const FunctionChange& b) {
    const double da = std::abs(a.delta()), db = std::abs(b.delta());
    return da != db ? da > db : a.function < b.function;
  });
  if (out.size() > count) out.resize(count);
  return out;
}

}  // namespace detgate

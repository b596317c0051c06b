#pragma once
// Which functions' own (self) instruction counts moved most between base and head, summed over
// every row: where a change in the totals comes from.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace detgate {

struct FunctionChange {
  std::string function;
  std::uint64_t base = 0;
  std::uint64_t head = 0;
  double delta() const { return static_cast<double>(head) - static_cast<double>(base); }
};

// The `count` largest changes by absolute size, largest first (ties by name); unchanged
// functions never appear.
std::vector<FunctionChange> top_function_changes(const std::map<std::string, std::uint64_t>& base,
                                                 const std::map<std::string, std::uint64_t>& head, std::size_t count);

}  // namespace detgate

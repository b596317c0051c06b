#pragma once
// tunfwd's modes as gtest parameters, straight from the registry (forward/registry.h), so a
// new mode is tested without editing a list (test_names.h names the instances). Links tb_forward.
#include <stdexcept>
#include <string>
#include <vector>

#include "forward/registry.h"
#include "support/test_names.h"

namespace tbtest {

// Every mode of the registry whose entry satisfies `pred`, by name.
template <class Pred>
std::vector<std::string> mode_names(Pred pred) {
  std::vector<std::string> v;
  for (const auto& m : forward::modes())
    if (pred(m)) v.emplace_back(m.name);
  return v;
}
inline std::vector<std::string> all_mode_names() {
  return mode_names([](const forward::Mode&) { return true; });
}
inline std::vector<std::string> offload_mode_names() {
  return mode_names([](const forward::Mode& m) { return m.offload; });
}

// The registry entry of `name`; an error (thrown) for a name it does not have.
inline const forward::Mode& mode(const std::string& name) {
  const auto* m = forward::find_mode(name);
  if (!m) throw std::invalid_argument("no mode " + name);
  return *m;
}

}  // namespace tbtest

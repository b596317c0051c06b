#include "harness/label.h"

#include <cctype>
#include <stdexcept>

#include <fmt/format.h>

namespace harness {

Implementation implementation_from_label(const std::string& label) {
  const auto slash = label.find('/');
  if (slash == std::string::npos) return {label, ""};
  if (label.find('/', slash + 1) != std::string::npos)
    throw std::invalid_argument(fmt::format("label '{}': more than one '/' (IMPL/MODE, e.g. tun-rs/sync-gso)", label));
  Implementation i{label.substr(0, slash), label.substr(slash + 1)};
  if (i.name.empty() || i.mode.empty())
    throw std::invalid_argument(fmt::format("label '{}': IMPL/MODE needs both parts (e.g. tun-rs/sync-gso)", label));
  return i;
}

std::string file_safe(const std::string& label) {
  std::string safe = label;
  for (char& c : safe)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') c = '_';
  return safe;
}

}  // namespace harness

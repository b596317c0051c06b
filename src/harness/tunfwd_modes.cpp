#include "harness/tunfwd_modes.h"

#include <stdexcept>

#include "harness/command.h"

namespace harness {

TunfwdModes TunfwdModes::parse(const std::string& text) {
  const auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) throw std::runtime_error("tunfwd --list --json: not a JSON object");
  if (j.value("format", "") != "tunfwd-modes/1")
    throw std::runtime_error(
        "tunfwd --list --json: format tunfwd-modes/1 expected (is this tunfwd older than tunbench?)");
  const auto it = j.find("modes");
  if (it == j.end() || !it->is_array() || it->empty()) throw std::runtime_error("tunfwd --list --json: no modes");
  TunfwdModes m;
  for (const auto& mode : *it) {
    if (!mode.is_object() || !mode.contains("name") || !mode.at("name").is_string() ||
        mode.at("name").get<std::string>().empty())
      throw std::runtime_error("tunfwd --list --json: a mode without a name");
    m.modes_.push_back(mode);
  }
  return m;
}

TunfwdModes TunfwdModes::query(const std::string& tunfwd) { return parse(run_checked({tunfwd, "--list", "--json"})); }

std::vector<std::string> TunfwdModes::names() const {
  std::vector<std::string> v;
  for (const auto& m : modes_) v.push_back(m.at("name").get<std::string>());
  return v;
}

std::optional<nlohmann::json> TunfwdModes::traits(const std::string& name) const {
  for (const auto& m : modes_)
    if (m.at("name") == name) return m;
  return std::nullopt;
}

nlohmann::json TunfwdModes::require(const std::string& name) const {
  if (auto t = traits(name)) return *t;
  std::string known;
  for (const auto& n : names()) known += (known.empty() ? "" : ", ") + n;
  throw std::invalid_argument("unknown mode '" + name + "' (tunfwd has: " + known + ")");
}

}  // namespace harness

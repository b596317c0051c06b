#pragma once
// What the harness knows about tunfwd's modes: read from `tunfwd --list --json` (the registry,
// forward/registry.h), never guessed from a mode's name.
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace harness {

class TunfwdModes {
 public:
  // Parses the output of `tunfwd --list --json` (format tunfwd-modes/1); throws naming what is wrong.
  static TunfwdModes parse(const std::string& json_text);
  // Runs `tunfwd --list --json` and parses it.
  static TunfwdModes query(const std::string& tunfwd);

  std::vector<std::string> names() const;
  // The facts of one mode as in the JSON, or nullopt. (Which implementation a row measures is
  // its SutSpec's, not a trait: see tunfwd_sut.)
  std::optional<nlohmann::json> traits(const std::string& name) const;
  // Throws std::invalid_argument naming the unknown mode and listing the known ones.
  nlohmann::json require(const std::string& name) const;

 private:
  std::vector<nlohmann::json> modes_;
};

}  // namespace harness

#pragma once
// A name's hash for picking its colour: FNV-1a (32 bit), the same on every machine and build,
// unlike std::hash, so a row or a frame keeps its colour from one chart or graph to the next.
#include <cstdint>
#include <string_view>

namespace report {

constexpr std::uint32_t name_hash(std::string_view name) {
  std::uint32_t h = 2166136261u;
  for (const char c : name) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
  return h;
}

}  // namespace report

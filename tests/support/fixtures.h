#pragma once
// Files of the source tree's fixtures/ folder (TB_FIXTURES_DIR, a compile definition of
// tb_test_support): recorded /proc and iperf3 output, thresholds profiles, offload pcaps.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace tbtest {

// fixtures/<relative>; nothing is checked.
inline std::filesystem::path fixture_path(const std::string& relative) {
  return std::filesystem::path(TB_FIXTURES_DIR) / relative;
}

// The content of fixtures/<relative>; an error (thrown) when it is missing, never "".
inline std::string fixture(const std::string& relative) {
  const auto path = fixture_path(relative);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("missing fixture " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace tbtest

#pragma once
// Reads a file of fixtures/ (TB_FIXTURES_DIR is set by tests/CMakeLists.txt).
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

inline std::string fixture(const std::string& relative) {
  const std::string path = std::string(TB_FIXTURES_DIR) + "/" + relative;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("missing fixture " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

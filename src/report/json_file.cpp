#include "report/json_file.h"

#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace report {

void write_text(const std::string& text, const std::filesystem::path& path) {
  std::ofstream out(path);
  if (!out) throw std::runtime_error("cannot write " + path.string());
  out << text;
  if (!out) throw std::runtime_error("error writing " + path.string());
}

void write_json(const harness::RunResult& run, const std::filesystem::path& path) {
  write_text(nlohmann::json(run).dump(2) + "\n", path);
}

harness::RunResult read_json(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  try {
    return nlohmann::json::parse(in).get<harness::RunResult>();
  } catch (const nlohmann::json::exception& e) {
    // nlohmann's text starts "[json.exception.parse_error.101] ": the rest says where and what.
    std::string what = e.what();
    if (const auto end = what.find("] "); what.starts_with("[json.exception.") && end != std::string::npos)
      what.erase(0, end + 2);
    throw std::runtime_error(path.string() + ": not a tunbench run file (" + what + ")");
  } catch (const std::exception& e) {  // from_json's own checks say what is wrong themselves
    throw std::runtime_error(path.string() + ": " + e.what());
  }
}

}  // namespace report

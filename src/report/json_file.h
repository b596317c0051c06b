#pragma once
// Run files: every raw sample plus the machine description, the input of `tunbench compare`.
#include <filesystem>

#include "harness/result.h"

namespace report {

void write_json(const harness::RunResult& run, const std::filesystem::path& path);
harness::RunResult read_json(const std::filesystem::path& path);  // throws with the file name
void write_text(const std::string& text, const std::filesystem::path& path);

}  // namespace report

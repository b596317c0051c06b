#pragma once
// Fields of the kernel's per-process status files (/proc/PID/status, /proc/PID/task/TID/status):
// who a process runs as, its capabilities, where its threads may run.
#include <sys/types.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace tbtest {

// A field ("Uid", "CapEff", "Cpus_allowed_list") of one status file, whitespace-trimmed; "" when
// the file or the field is missing.
inline std::string status_field(const std::filesystem::path& status_file, const std::string& field) {
  std::ifstream in(status_file);
  for (std::string line; std::getline(in, line);)
    if (line.starts_with(field + ":")) {
      const auto v = line.find_first_not_of(" \t", field.size() + 1);
      const auto e = line.find_last_not_of(" \t");
      return v == std::string::npos ? "" : line.substr(v, e + 1 - v);
    }
  return "";
}

// The same of process `pid` (/proc/PID/status).
inline std::string status_field(pid_t pid, const std::string& field) {
  return status_field("/proc/" + std::to_string(pid) + "/status", field);
}

}  // namespace tbtest

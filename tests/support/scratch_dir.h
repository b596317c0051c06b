#pragma once
// A fresh directory per test (ctest runs tests in parallel, so fixed names would collide): made
// by mkdtemp, removed with everything in it when the test passed, kept when it failed so its
// files (logs, run files, pcaps) can be read.
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

namespace tbtest {

class ScratchDir {
 public:
  // /tmp/<prefix>-XXXXXX; a test error (thrown) when it cannot be made.
  explicit ScratchDir(const std::string& prefix = "tb-test") {
    std::string pattern = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
    if (::mkdtemp(pattern.data()) == nullptr)
      throw std::runtime_error("mkdtemp " + pattern + ": " + std::strerror(errno));
    path_ = pattern;
  }
  ~ScratchDir() {
    if (::testing::Test::HasFailure()) {
      std::cerr << "[ kept     ] " << path_.string() << "\n";
      return;
    }
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // A file (or folder) inside; nothing is created.
  std::filesystem::path file(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

}  // namespace tbtest

#pragma once
// Names of the instances of a parameterized test (the last argument of INSTANTIATE_TEST_SUITE_P),
// so a failure names its case rather than an index. Variables, not lambdas at each use: a lambda
// parameter named `info` there shadows the macro's own.
#include <string>

#include <gtest/gtest.h>

namespace tbtest {

// A case struct's `name` field (const char* or std::string).
inline constexpr auto case_name = [](const auto& instance) { return std::string(instance.param.name); };

// A string parameter made gtest-safe ("sync-gso" → "sync_gso"): mode names, for one.
inline std::string param_name(const ::testing::TestParamInfo<std::string>& instance) {
  std::string name = instance.param;
  for (auto& c : name)
    if (c == '-') c = '_';
  return name;
}

}  // namespace tbtest

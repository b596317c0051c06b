#pragma once
// An invariant a fuzz target asserts: on violation, say which and abort so libFuzzer keeps the
// input as a crash artifact.
#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond)                                                           \
  do {                                                                             \
    if (!(cond)) {                                                                 \
      std::fprintf(stderr, "invariant violated: %s (line %d)\n", #cond, __LINE__); \
      std::abort();                                                                \
    }                                                                              \
  } while (0)

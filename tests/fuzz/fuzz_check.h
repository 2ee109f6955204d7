// FUZZ_CHECK: the assertion of fuzz targets. A failed check prints what was
// expected and aborts, which libFuzzer records as a crash (and saves the
// input), and which fails the corpus regression run under ctest. Unlike
// assert() it is never compiled out, since targets are built optimised.
#pragma once

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond, ...)                                                      \
  do {                                                                             \
    if (!(cond)) {                                                                 \
      std::fprintf(stderr, "%s:%d: FUZZ_CHECK(%s) failed: ", __FILE__, __LINE__,   \
                   #cond);                                                         \
      std::fprintf(stderr, __VA_ARGS__);                                           \
      std::fprintf(stderr, "\n");                                                  \
      std::abort();                                                                \
    }                                                                              \
  } while (0)

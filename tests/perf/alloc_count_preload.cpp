// libtb_alloc_count_preload.so: counts every heap allocation a process makes (malloc, calloc,
// realloc, posix_memalign, aligned_alloc, memalign; operator new ends in malloc) and prints
//   alloc-count: N
// to stderr at exit. alloc_test.sh runs one forwarder twice, with a short and a long iperf3
// run: a forwarder that allocates nothing per packet in steady state makes the same count
// whatever it forwarded.
#include <malloc.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>

extern "C" {
// glibc's own allocator entry points: the counting wrappers below replace malloc & co. and must
// forward to these (calling malloc again would recurse into ourselves). The names are glibc's.
void* __libc_malloc(size_t);            // NOLINT(bugprone-reserved-identifier): glibc's malloc, our malloc calls it
void* __libc_calloc(size_t, size_t);    // NOLINT(bugprone-reserved-identifier): glibc's calloc, our calloc calls it
void* __libc_realloc(void*, size_t);    // NOLINT(bugprone-reserved-identifier): glibc's realloc, ours calls it
void* __libc_memalign(size_t, size_t);  // NOLINT(bugprone-reserved-identifier): glibc's memalign, ours call it
}

namespace {

std::atomic<unsigned long> g_count{0};

void bump() { g_count.fetch_add(1, std::memory_order_relaxed); }

struct Report {
  ~Report() {
    char line[64];
    const int n = std::snprintf(line, sizeof line, "alloc-count: %lu\n", g_count.load());
    if (n > 0) [[maybe_unused]]
      auto w = ::write(2, line, static_cast<size_t>(n));
  }
} g_report;

}  // namespace

extern "C" {

void* malloc(size_t n) {
  bump();
  return __libc_malloc(n);
}
void* calloc(size_t a, size_t b) {
  bump();
  return __libc_calloc(a, b);
}
void* realloc(void* p, size_t n) {
  bump();
  return __libc_realloc(p, n);
}
void* memalign(size_t align, size_t n) {
  bump();
  return __libc_memalign(align, n);
}
void* aligned_alloc(size_t align, size_t n) {
  bump();
  return __libc_memalign(align, n);
}
int posix_memalign(void** out, size_t align, size_t n) {
  bump();
  void* p = __libc_memalign(align, n);
  if (!p) return 12;  // ENOMEM
  *out = p;
  return 0;
}

}  // extern "C"

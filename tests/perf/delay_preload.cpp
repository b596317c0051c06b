// libtb_delay_preload.so: plants a slowdown in any forwarder without touching its source, for
// testing the performance gate (fixtures/gate/README.md). LD_PRELOAD it and set
// TB_PRELOAD_DELAY_NS: every write(2), writev(2), pwritev(2) and pwritev2(2) then busy-waits that
// many nanoseconds first (CPU burnt in the forwarder's own thread, as a slower hot path would).
// Unset or 0: no effect. pwritev2 is where tunfwd writes to a TUN with the virtio-net header (all
// offload modes): without it the plant missed those modes entirely.
#include <dlfcn.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>

namespace {

std::int64_t delay_ns() {
  static const std::int64_t ns = [] {
    const char* text = std::getenv("TB_PRELOAD_DELAY_NS");
    return text ? std::strtoll(text, nullptr, 10) : 0;
  }();
  return ns;
}

std::int64_t now_ns() {
  timespec t{};
  ::clock_gettime(CLOCK_MONOTONIC, &t);
  return static_cast<std::int64_t>(t.tv_sec) * 1000000000 + t.tv_nsec;
}

void spin() {
  const std::int64_t ns = delay_ns();
  if (ns <= 0) return;
  const std::int64_t until = now_ns() + ns;
  while (now_ns() < until) {
  }
}

}  // namespace

extern "C" ssize_t writev(int fd, const struct iovec* iov, int count) {
  using Fn = ssize_t (*)(int, const struct iovec*, int);
  static const Fn real = reinterpret_cast<Fn>(::dlsym(RTLD_NEXT, "writev"));
  spin();
  return real(fd, iov, count);
}

extern "C" ssize_t write(int fd, const void* data, size_t size) {
  using Fn = ssize_t (*)(int, const void*, size_t);
  static const Fn real = reinterpret_cast<Fn>(::dlsym(RTLD_NEXT, "write"));
  spin();
  return real(fd, data, size);
}

extern "C" ssize_t pwritev(int fd, const struct iovec* iov, int count, off_t offset) {
  using Fn = ssize_t (*)(int, const struct iovec*, int, off_t);
  static const Fn real = reinterpret_cast<Fn>(::dlsym(RTLD_NEXT, "pwritev"));
  spin();
  return real(fd, iov, count, offset);
}

extern "C" ssize_t pwritev2(int fd, const struct iovec* iov, int count, off_t offset, int flags) {
  using Fn = ssize_t (*)(int, const struct iovec*, int, off_t, int);
  static const Fn real = reinterpret_cast<Fn>(::dlsym(RTLD_NEXT, "pwritev2"));
  spin();
  return real(fd, iov, count, offset, flags);
}

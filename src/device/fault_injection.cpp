#include "device/fault_injection.h"

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdlib>

namespace device::fault {

namespace {

std::uint64_t env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::strtoull(v, nullptr, 10) : 0;
}

struct Config {
  std::uint64_t gso_einval = env("TUNFWD_FAULT_GSO_EINVAL");
  std::uint64_t write_enobufs = env("TUNFWD_FAULT_WRITE_ENOBUFS");
  bool active() const { return gso_einval != 0 || write_enobufs != 0; }
};

const Config& config() {
  static const Config c;  // read once; thread-safe initialisation
  return c;
}

std::atomic<std::uint64_t> gso_writes{0}, writes{0};

}  // namespace

int inject_write(bool gso) {
  const Config& c = config();
  if (!c.active()) return 0;
  if (c.write_enobufs != 0 && (writes.fetch_add(1, std::memory_order_relaxed) + 1) % c.write_enobufs == 0)
    return ENOBUFS;
  if (gso && c.gso_einval != 0 && (gso_writes.fetch_add(1, std::memory_order_relaxed) + 1) % c.gso_einval == 0)
    return EINVAL;
  return 0;
}

std::string describe() {
  const Config& c = config();
  std::string s;
  if (c.gso_einval != 0) s += "TUNFWD_FAULT_GSO_EINVAL=" + std::to_string(c.gso_einval);
  if (c.write_enobufs != 0) s += (s.empty() ? "" : " ") + std::string("TUNFWD_FAULT_WRITE_ENOBUFS=") + std::to_string(c.write_enobufs);
  return s;
}

}  // namespace device::fault

#include "faults/fault_plan.h"

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <stdexcept>
#include <string_view>

namespace faults {

namespace {

std::uint64_t env_count(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return 0;
  const std::string_view text(v);
  std::uint64_t n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc{} || end != text.data() + text.size())
    throw std::invalid_argument(std::string(name) + "=" + v + ": expected a whole number (every Nth write)");
  return n;
}

bool every(std::atomic<std::uint64_t>& count, std::uint64_t n) {
  return n != 0 && (count.fetch_add(1, std::memory_order_relaxed) + 1) % n == 0;
}

}  // namespace

FaultPlan FaultPlan::from_env() {
  return {env_count("TUNFWD_FAULT_GSO_EINVAL"), env_count("TUNFWD_FAULT_WRITE_ENOBUFS")};
}

std::string FaultPlan::describe() const {
  std::string s;
  if (gso_einval_every != 0) s += "TUNFWD_FAULT_GSO_EINVAL=" + std::to_string(gso_einval_every);
  if (write_enobufs_every != 0)
    s += (s.empty() ? "" : " ") + std::string("TUNFWD_FAULT_WRITE_ENOBUFS=") + std::to_string(write_enobufs_every);
  return s;
}

int Injector::next_write(bool gso) {
  if (every(writes_, plan_.write_enobufs_every)) return ENOBUFS;
  if (gso && every(gso_writes_, plan_.gso_einval_every)) return EINVAL;
  return 0;
}

}  // namespace faults

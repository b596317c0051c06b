#include "os/open_file_limit.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace os {

OpenFileLimit raise_open_file_limit(rlim_t wanted, std::string& error) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    error = std::string("getrlimit(RLIMIT_NOFILE): ") + std::strerror(errno);
    return {};
  }
  const rlim_t target = limit.rlim_max == RLIM_INFINITY ? wanted : std::min(wanted, limit.rlim_max);
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < target) {
    rlimit raised{target, limit.rlim_max};
    if (::setrlimit(RLIMIT_NOFILE, &raised) != 0) {
      error = std::string("setrlimit(RLIMIT_NOFILE, ") + std::to_string(target) + "): " + std::strerror(errno);
      return {limit.rlim_cur, limit.rlim_max};
    }
    limit.rlim_cur = target;
  }
  return {limit.rlim_cur, limit.rlim_max};
}

}  // namespace os

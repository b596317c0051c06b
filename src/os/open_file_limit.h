#pragma once
// A relay holds one kernel socket per connection it carries; the usual soft limit of 1,024
// open files would refuse the 1,025th connection with EMFILE long before any real limit.
#include <sys/resource.h>

#include <string>

namespace os {

struct OpenFileLimit {
  rlim_t soft = 0;
  rlim_t hard = 0;
};

// Raises the soft RLIMIT_NOFILE to `wanted` (at most the hard limit, which only root could
// raise and which we leave alone). Returns the limit in force afterwards; on failure `error`
// says why ("getrlimit: …") and the limit is unchanged.
OpenFileLimit raise_open_file_limit(rlim_t wanted, std::string& error);

}  // namespace os

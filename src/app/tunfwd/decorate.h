#pragma once
// The seam where a test build wraps the devices before the forwarder sees them. tunfwd links
// no_faults.cpp, which wraps nothing; tunfwd-faults (tests only) links ../tunfwd-faults/, which
// wraps every device in the fault decorators of src/faults/ as TUNFWD_FAULT_* say. The
// production write path has no fault hook of any kind.
#include <memory>
#include <string>

#include "forward/endpoint.h"

namespace tunfwd {

struct Decoration;  // what the implementation created; defined next to it
struct DecorationDeleter {
  void operator()(Decoration* d) const;
};
using DecorationHandle = std::unique_ptr<Decoration, DecorationDeleter>;

// Replaces device pointers of `setup` with decorated ones that live in the returned handle (keep
// it alive while the forwarder runs). `description` says what is injected ("" = nothing).
// Throws std::invalid_argument on a bad setting.
DecorationHandle decorate(forward::Setup& setup, std::string& description);

}  // namespace tunfwd

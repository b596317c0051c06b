// The production build's decorate(): nothing is wrapped.
#include "tunfwd/decorate.h"

namespace tunfwd {

struct Decoration {};

void DecorationDeleter::operator()(Decoration* d) const { delete d; }

DecorationHandle decorate(forward::Setup&, std::string& description) {
  description.clear();
  return nullptr;
}

}  // namespace tunfwd

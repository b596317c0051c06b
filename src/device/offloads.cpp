#include "device/offloads.h"

namespace device {

std::string describe(const Offloads& o) {
  std::string out;
  auto add = [&out](bool on, const char* name) {
    if (!on) return;
    if (!out.empty()) out += ' ';
    out += name;
  };
  add(o.vnet_hdr, "vnet_hdr");
  add(o.csum, "csum");
  add(o.tso4, "tso4");
  add(o.tso6, "tso6");
  add(o.uso, "uso");
  return out.empty() ? "none" : out;
}

}  // namespace device

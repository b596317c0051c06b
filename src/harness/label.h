#pragma once
// What a row's label says beyond its name: which implementation it measures and the mode it
// mirrors (README, "--forwarder"), and the label as a piece of a file name. One rule, used by
// every option that takes a LABEL: `IMPL/MODE` names implementation IMPL in mode MODE
// ("tun-rs/sync-gso"); any other label is its own implementation with no mode.
#include <string>

namespace harness {

// The implementations tunbench names itself: its own rows (tunfwd modes, tunstack) and the
// kernel baselines. Reports colour and order rows by these.
inline constexpr const char* kOurImplementation = "tunbench";
inline constexpr const char* kKernelImplementation = "kernel";

struct Implementation {
  std::string name;  // "tunbench", "kernel", "tun-rs", …
  std::string mode;  // the mode it mirrors ("sync-gso"), or "" when it has none

  bool operator==(const Implementation&) const = default;
};

// Reads `label` by the rule above. Throws std::invalid_argument naming the label when a part
// around the '/' is empty or there is more than one '/'.
Implementation implementation_from_label(const std::string& label);

// `label` as one path component: every byte but [A-Za-z0-9_-] becomes '_', so "tun-rs/sync-gso"
// is "tun-rs_sync-gso" and never a sub-directory (log directories, per-row files).
std::string file_safe(const std::string& label);

}  // namespace harness

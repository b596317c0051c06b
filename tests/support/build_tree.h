#pragma once
// Where the binaries under test are: the build tree this test executable belongs to.
#include <filesystem>

namespace tbtest {

// The build directory (the one holding src/app/tunfwd), found from /proc/self/exe; empty when
// this executable is not inside a build tree.
inline std::filesystem::path build_dir() {
  namespace fs = std::filesystem;
  for (auto dir = fs::read_symlink("/proc/self/exe").parent_path(); dir != dir.root_path(); dir = dir.parent_path())
    if (fs::is_regular_file(dir / "src/app/tunfwd")) return dir;
  return {};
}
inline std::filesystem::path tunfwd() { return build_dir() / "src/app/tunfwd"; }
// The test-only tunfwd whose devices refuse writes as TUNFWD_FAULT_* say (src/faults/).
inline std::filesystem::path tunfwd_faults() { return build_dir() / "src/app/tunfwd-faults"; }
// The userspace TCP/IP stack behind a TUN (src/app/tunstack, docs/stack.md).
inline std::filesystem::path tunstack() { return build_dir() / "src/app/tunstack"; }
inline std::filesystem::path tunbench() { return build_dir() / "src/app/tunbench"; }
inline std::filesystem::path xfer() { return build_dir() / "tests/integration/support/tb_xfer"; }

}  // namespace tbtest

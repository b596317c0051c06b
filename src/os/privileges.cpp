#include "os/privileges.h"

#include <grp.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string_view>
#include <vector>

#include <fmt/format.h>

namespace os {

namespace {

std::string failed(std::string_view step) { return fmt::format("{}: {}", step, std::strerror(errno)); }

// Highest capability number the running kernel knows (CAP_LAST_CAP of the kernel, not of our headers).
int last_capability() {
  std::ifstream in("/proc/sys/kernel/cap_last_cap");
  int last = -1;
  if (in >> last) return last;
  return 63;  // PR_CAPBSET_DROP on an unknown cap fails with EINVAL, handled below
}

// The hex value of `field` ("CapEff") in /proc/self/status, or "" when missing.
std::string status_field(std::string_view field) {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with(field) && line.size() > field.size() && line[field.size()] == ':') {
      const auto v = line.find_first_not_of(" \t", field.size() + 1);
      return v == std::string::npos ? "" : line.substr(v);
    }
  }
  return "";
}

}  // namespace

bool find_user(const std::string& name, User& user, std::string& error) {
  // /etc/passwd read with fgetpwent_r, not getpwnam_r: the release tunfwd is linked statically,
  // and static glibc can reach NSS modules only by loading the shared ones it was built against.
  std::FILE* db = std::fopen(kPasswdFile, "re");
  if (!db) return error = fmt::format("reading {}: {}", kPasswdFile, std::strerror(errno)), false;
  passwd pw{};
  passwd* entry = nullptr;
  std::vector<char> buf(4096);
  bool found = false;
  int rc = 0;
  for (;;) {
    rc = ::fgetpwent_r(db, &pw, buf.data(), buf.size(), &entry);
    if (rc == ERANGE && buf.size() < (1u << 20)) {  // a long line: retry it with a larger buffer
      buf.resize(buf.size() * 2);
      continue;
    }
    if (rc != 0) break;  // ENOENT at the end of the file, else a read error
    if (name == pw.pw_name) {
      found = true;
      break;
    }
  }
  std::fclose(db);
  if (!found && rc != ENOENT) return error = fmt::format("reading {}: {}", kPasswdFile, std::strerror(rc)), false;
  if (!found) return error = fmt::format("no such user '{}' in {}", name, kPasswdFile), false;
  if (pw.pw_uid == 0) return error = fmt::format("user '{}' is root: nothing would be dropped", name), false;
  user = {name, pw.pw_uid, pw.pw_gid};
  return true;
}

std::string drop_privileges(const User& user) {
  const uid_t uid = user.uid;
  const gid_t gid = user.gid;
  // While still privileged: no capability can come back through exec or the ambient set.
  if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL)
    return failed("prctl(PR_CAP_AMBIENT_CLEAR_ALL)");
  for (int cap = 0, last = last_capability(); cap <= last; ++cap) {
    if (::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL)
      return failed(fmt::format("prctl(PR_CAPBSET_DROP, {})", cap));
  }
  if (::prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) != 0) return failed("prctl(PR_SET_KEEPCAPS, 0)");
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return failed("prctl(PR_SET_NO_NEW_PRIVS)");

  // Groups first: after setuid we could no longer change them.
  if (::setgroups(1, &gid) != 0) return failed("setgroups");
  if (::setresgid(gid, gid, gid) != 0) return failed(fmt::format("setgid({})", gid));
  if (::setresuid(uid, uid, uid) != 0) return failed(fmt::format("setuid({})", uid));

  // Trust, but verify: no way back to root, and no capability left.
  if (::setuid(0) == 0) return "setuid(0) still succeeds after dropping privileges";
  for (const char* set : {"CapEff", "CapPrm", "CapInh", "CapAmb", "CapBnd"}) {
    const auto v = status_field(set);
    if (v.empty()) continue;  // CapAmb is missing on kernels before 4.3
    if (v.find_first_not_of('0') != std::string::npos) return fmt::format("{} is {} after dropping privileges", set, v);
  }
  return "";
}

}  // namespace os

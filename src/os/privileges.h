#pragma once
// --user NAME (tunfwd, tunstack): once the TUN devices are open (the only step that needs
// CAP_NET_ADMIN), the program gives up root for good, before any thread starts.
#include <sys/types.h>

#include <string>

namespace os {

struct User {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
};

inline constexpr const char* kPasswdFile = "/etc/passwd";

// Looks `name` up in /etc/passwd (before the devices are opened, so a typo fails fast); users
// known only to other NSS sources (LDAP, systemd dynamic users) are not found. On failure
// returns false with a message in `error`: "no such user 'x' in /etc/passwd", "user 'root' is root: …".
bool find_user(const std::string& name, User& user, std::string& error);

// Clears the ambient and bounding capability sets, then setgroups/setgid/setuid to `user` (its
// primary group only) with keep-caps off, so the kernel clears the permitted and effective sets.
// Verifies the result (/proc/self/status CapEff/CapPrm 0, setuid(0) refused). Returns "" on
// success, else a message: "setuid(65534): Operation not permitted", ...
std::string drop_privileges(const User& user);

}  // namespace os

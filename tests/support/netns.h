#pragma once
// Runs a test body in a forked child inside a fresh, anonymous network namespace: the child
// does unshare(CLONE_NEWNET) and nothing else is ever created in the root namespace. The
// namespace has no name and no bind mount, so it disappears with the child, even when the
// child crashes or is killed. If unshare fails, the body never runs.
//
// The body reports problems through a Failures list (gtest assertions do not cross fork());
// the parent turns them into gtest failures. write_setting() sets the namespace's own sysctls.
#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <fstream>
#include <functional>
#include <string>

#include <gtest/gtest.h>

namespace tbtest {

class Failures {
 public:
  // Records `what` when `ok` is false; returns `ok` so callers can stop early.
  bool expect(bool ok, const std::string& what) {
    if (!ok) text_ += what + "\n";
    return ok;
  }
  void fail(const std::string& what) { text_ += what + "\n"; }
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

inline ino_t netns_inode() {
  struct stat st {};
  return ::stat("/proc/self/ns/net", &st) == 0 ? st.st_ino : 0;
}

// Returns an empty string on success, otherwise what went wrong (body failures, a crash...).
inline std::string run_in_new_netns(const std::function<void(Failures&)>& body) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return std::string("pipe: ") + std::strerror(errno);
  const ino_t parent_ns = netns_inode();
  const pid_t pid = ::fork();
  if (pid < 0) return std::string("fork: ") + std::strerror(errno);
  if (pid == 0) {
    ::close(pipe_fds[0]);
    Failures f;
    if (::unshare(CLONE_NEWNET) != 0) {
      f.fail(std::string("unshare(CLONE_NEWNET): ") + std::strerror(errno));
    } else if (netns_inode() == parent_ns || netns_inode() == 0) {
      f.fail("still in the parent network namespace after unshare: refusing to run");
    } else {
      try {
        body(f);
      } catch (const std::exception& e) {
        f.fail(std::string("exception: ") + e.what());
      } catch (...) {
        f.fail("unknown exception");
      }
    }
    const std::string& t = f.text();
    std::size_t done = 0;
    while (done < t.size()) {
      const ssize_t n = ::write(pipe_fds[1], t.data() + done, t.size() - done);
      if (n <= 0) break;
      done += static_cast<std::size_t>(n);
    }
    ::_exit(t.empty() ? 0 : 1);  // never return into gtest in the child
  }
  ::close(pipe_fds[1]);
  std::string report;
  char buf[512];
  for (;;) {
    const ssize_t n = ::read(pipe_fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    report.append(buf, static_cast<std::size_t>(n));
  }
  ::close(pipe_fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status))
    report += "child killed by signal " + std::to_string(WTERMSIG(status)) + "\n";
  else if (WEXITSTATUS(status) != 0 && report.empty())
    report = "child exited with " + std::to_string(WEXITSTATUS(status));
  return report;
}

// Runs `body` in a new namespace and turns its report into one gtest failure.
inline void expect_in_new_netns(const std::function<void(Failures&)>& body) {
  const std::string report = run_in_new_netns(body);
  if (!report.empty()) ADD_FAILURE() << "in the test's network namespace:\n" << report;
}

// Writes one setting of the test's namespace (/proc/sys/net/..., /sys/class/net/...); false, with
// `err` naming the file, when it is refused.
inline bool write_setting(const std::string& path, const std::string& value, std::string& err) {
  std::ofstream out(path);
  out << value;
  out.flush();
  if (!out) err = "cannot write " + path;
  return static_cast<bool>(out);
}

// Only root (CAP_NET_ADMIN + CAP_SYS_ADMIN) can run these tests.
#define TB_REQUIRE_ROOT() \
  if (::geteuid() != 0) GTEST_SKIP() << "needs root (network namespaces, TUN)"

}  // namespace tbtest

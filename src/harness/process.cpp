#include "harness/process.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <thread>
#include <utility>

#include <fmt/format.h>

#include "harness/interrupt.h"

namespace harness {
namespace {

constexpr auto kPollStep = std::chrono::milliseconds(10);

int open_output(const std::filesystem::path& path) {
  const char* name = path.empty() ? "/dev/null" : path.c_str();
  const int fd = ::open(name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error(fmt::format("cannot open {}: {}", name, std::strerror(errno)));
  return fd;
}

int decode_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// The child may only use async-signal-safe calls: everything it needs is prepared before fork().
[[noreturn]] void exec_child(char* const* argv, int netns_fd, int out_fd, int err_fd, int report_fd) {
  int failed_errno = 0;
  if (::setpgid(0, 0) != 0) failed_errno = errno;
  if (failed_errno == 0 && netns_fd >= 0 && ::setns(netns_fd, CLONE_NEWNET) != 0) failed_errno = errno;
  if (failed_errno == 0 && (::dup2(out_fd, STDOUT_FILENO) < 0 || ::dup2(err_fd, STDERR_FILENO) < 0))
    failed_errno = errno;
  if (failed_errno == 0) {
    const int null_fd = ::open("/dev/null", O_RDONLY);
    if (null_fd >= 0) ::dup2(null_fd, STDIN_FILENO);
    // Default dispositions: the harness ignores SIGPIPE, the child must not inherit that.
    ::signal(SIGPIPE, SIG_DFL);
    ::signal(SIGINT, SIG_DFL);
    ::signal(SIGTERM, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execvp(argv[0], argv);
    failed_errno = errno;
  }
  (void)!::write(report_fd, &failed_errno, sizeof failed_errno);
  ::_exit(127);
}

}  // namespace

Process Process::spawn(const SpawnOptions& options) {
  if (options.argv.empty()) throw std::invalid_argument("Process::spawn: empty argv");
  std::vector<char*> argv;
  for (const auto& arg : options.argv) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);

  int netns_fd = -1;
  if (!options.netns.empty()) {
    const std::string path = "/run/netns/" + options.netns;
    netns_fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (netns_fd < 0)
      throw std::runtime_error(fmt::format("network namespace {}: {}", options.netns, std::strerror(errno)));
  }
  const int out_fd = open_output(options.stdout_path);
  const int err_fd = open_output(options.stderr_path);
  // The exec-report pipe closes on a successful exec, so an empty read means "running".
  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");

  const pid_t pid = ::fork();
  if (pid == 0) exec_child(argv.data(), netns_fd, out_fd, err_fd, report[1]);
  const int fork_errno = errno;
  for (int fd : {netns_fd, out_fd, err_fd, report[1]})
    if (fd >= 0) ::close(fd);
  if (pid < 0) {
    ::close(report[0]);
    throw std::runtime_error(fmt::format("fork failed: {}", std::strerror(fork_errno)));
  }
  // Also set the group from the parent, so a stop() right after spawn() reaches the group.
  ::setpgid(pid, pid);

  Process process;
  process.pid_ = pid;
  process.name_ = options.argv.front();
  int child_errno = 0;
  ssize_t got;
  do {
    got = ::read(report[0], &child_errno, sizeof child_errno);
  } while (got < 0 && errno == EINTR);
  ::close(report[0]);
  if (got == static_cast<ssize_t>(sizeof child_errno)) {
    process.wait_quietly(std::chrono::milliseconds(1000));
    const std::string where = options.netns.empty() ? "" : " in namespace " + options.netns;
    throw std::runtime_error(
        fmt::format("cannot run {}{}: {}", options.argv.front(), where, std::strerror(child_errno)));
  }
  return process;
}

Process::Process(Process&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)), name_(std::move(other.name_)), status_(other.status_) {}

Process& Process::operator=(Process&& other) noexcept {
  if (this != &other) {
    stop();
    pid_ = std::exchange(other.pid_, -1);
    name_ = std::move(other.name_);
    status_ = other.status_;
  }
  return *this;
}

Process::~Process() { stop(); }

bool Process::reap_if_exited() noexcept {
  if (pid_ < 0 || status_) return true;
  // Peek first (WNOWAIT): while the leader is an unreaped zombie its pid, and so the group id,
  // cannot be reused, which makes killing the rest of the group safe.
  siginfo_t info{};
  if (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) != 0) return false;
  if (info.si_pid == 0) return false;
  ::kill(-pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  status_ = decode_status(status);
  return true;
}

bool Process::running() { return !reap_if_exited(); }

bool Process::wait_quietly(std::chrono::milliseconds timeout) noexcept {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!reap_if_exited()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(kPollStep);
  }
  return true;
}

bool Process::wait_for(std::chrono::milliseconds timeout, bool interruptible) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!reap_if_exited()) {
    if (interruptible) throw_if_interrupted();
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(kPollStep);
  }
  return true;
}

int Process::stop(std::chrono::milliseconds grace) noexcept {
  if (pid_ < 0) return -1;
  for (int sig : {SIGINT, SIGTERM}) {
    if (reap_if_exited()) return *status_;
    ::kill(-pid_, sig);
    if (wait_quietly(grace)) return *status_;
  }
  ::kill(-pid_, SIGKILL);
  // SIGKILL cannot be ignored; a process stuck in the kernel still ends, so this wait is bounded
  // in practice, and the loop gives up after 10 s rather than hang the teardown.
  wait_quietly(std::chrono::milliseconds(10000));
  return status_.value_or(-1);
}

}  // namespace harness

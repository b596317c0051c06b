#pragma once
// A child process the harness owns: started in its own process group (optionally inside a network
// namespace), its output sent to files, and always stopped and reaped, even on exceptions.
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace harness {

struct SpawnOptions {
  std::vector<std::string> argv;
  std::string netns;                  // entered with setns() in the child; empty = ours
  std::filesystem::path stdout_path;  // empty = /dev/null
  std::filesystem::path stderr_path;  // empty = /dev/null
};

class Process {
 public:
  // Throws std::runtime_error when the program cannot be executed (reported by the child).
  static Process spawn(const SpawnOptions& options);

  Process() = default;
  Process(Process&& other) noexcept;
  Process& operator=(Process&& other) noexcept;
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  ~Process();  // stop()s a running child

  pid_t pid() const { return pid_; }
  const std::string& name() const { return name_; }
  // Non-blocking; reaps the child (and kills what is left of its group) when it has exited.
  bool running();
  // Exit code, or 128 + signal number; empty while running.
  std::optional<int> exit_status() const { return status_; }
  // Waits up to `timeout` for the exit. When `interruptible`, throws Interrupted as soon as a
  // signal arrived; teardown paths pass false, or a Ctrl-C would abort the cleanup itself.
  bool wait_for(std::chrono::milliseconds timeout, bool interruptible = true);
  // SIGINT, then SIGTERM, then SIGKILL to the whole group, `grace` apart; returns the exit status.
  int stop(std::chrono::milliseconds grace = std::chrono::milliseconds(2000)) noexcept;

 private:
  bool reap_if_exited() noexcept;
  bool wait_quietly(std::chrono::milliseconds timeout) noexcept;

  pid_t pid_ = -1;
  std::string name_;
  std::optional<int> status_;
};

}  // namespace harness

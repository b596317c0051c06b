#pragma once
// Test support: runs a program as a user would from a shell, without one (fork + exec, so paths
// need no quoting): its exit status and what it wrote to stderr; stdout goes to /dev/null.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace tbtest {

struct CliOutcome {
  int status = -1;  // the exit status; -1 when killed by a signal
  std::string err;
};

inline CliOutcome run_cli(const std::string& binary, const std::vector<std::string>& args,
                          const std::string& err_file) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int fd = ::open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int null = ::open("/dev/null", O_WRONLY);
    ::dup2(fd, STDERR_FILENO);
    ::dup2(null, STDOUT_FILENO);
    std::vector<char*> argv{const_cast<char*>(binary.c_str())};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(binary.c_str(), argv.data());
    ::_exit(127);
  }
  int st = 0;
  ::waitpid(pid, &st, 0);
  std::stringstream ss;
  ss << std::ifstream(err_file).rdbuf();
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, ss.str()};
}

}  // namespace tbtest

#pragma once
// Runs a call that blocks (a queue's read, a batch waiting in io_uring_enter) on another thread
// and returns once that thread sleeps in the kernel, so a test knows an interrupt or a packet
// reaches a call that is really waiting rather than one not started yet. No sleeps: it watches
// the thread's state in /proc. Needs tb_harness (the /proc parser).
#include <sys/syscall.h>
#include <unistd.h>

#include <future>
#include <string>
#include <thread>
#include <utility>

#include "harness/command.h"
#include "harness/proc_parse.h"

namespace tbtest {

// Spins (yielding) until thread `tid` is asleep ('S'), or gone.
inline void wait_until_blocked(pid_t tid) {
  const std::string path = "/proc/self/task/" + std::to_string(tid) + "/stat";
  for (;;) {
    const auto stat = harness::parse_pid_stat(harness::read_file(path));
    if (!stat || stat->state == 'S') return;
    std::this_thread::yield();
  }
}

template <class Call>
auto once_blocked(Call call) {
  std::promise<pid_t> tid;
  auto started = tid.get_future();
  auto result = std::async(std::launch::async, [call, tid = std::move(tid)]() mutable {
    tid.set_value(static_cast<pid_t>(::syscall(SYS_gettid)));
    return call();
  });
  wait_until_blocked(started.get());
  return result;
}

}  // namespace tbtest

#pragma once
// Pure parsers over the text of /proc files, so the sampling logic is testable on fixtures.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace harness {

// The fields of /proc/PID/stat the monitor uses. utime/stime are in clock ticks and already
// include every thread of the process.
struct PidStat {
  int pid = 0;
  std::string comm;
  char state = '?';
  int ppid = 0;
  std::uint64_t utime = 0;
  std::uint64_t stime = 0;
  std::uint64_t starttime = 0;  // ticks after boot: with the pid, identifies a process uniquely
  std::uint64_t cpu_ticks() const { return utime + stime; }
};

// comm may hold spaces and parentheses: it runs from the first '(' to the LAST ')'.
std::optional<PidStat> parse_pid_stat(std::string_view text);

// VmRSS of /proc/PID/status in kB; empty when absent (kernel threads, zombies).
std::optional<std::uint64_t> parse_vmrss_kb(std::string_view status);

// The aggregate "cpu " line of /proc/stat, in clock ticks.
struct CpuTimes {
  std::uint64_t user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
  std::uint64_t total() const { return user + nice + system + idle + iowait + irq + softirq + steal; }
  std::uint64_t busy() const { return user + nice + system + irq + softirq; }
};
std::optional<CpuTimes> parse_proc_stat_cpu(std::string_view proc_stat);

// A counter of /proc/net/snmp, where each protocol has two lines: its field names, then their
// values ("Udp:" ... "RcvbufErrors" ...); empty when the protocol or the field is absent.
std::optional<std::uint64_t> parse_snmp_counter(std::string_view snmp, std::string_view protocol,
                                                std::string_view field);

// A counter of /proc/net/snmp6, one "Name value" per line ("Udp6RcvbufErrors 11"); empty when absent.
std::optional<std::uint64_t> parse_snmp6_counter(std::string_view snmp6, std::string_view name);

// "model name" of /proc/cpuinfo (first processor), or "unknown".
std::string parse_cpu_model(std::string_view cpuinfo);

}  // namespace harness

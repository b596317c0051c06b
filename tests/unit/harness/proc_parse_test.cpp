#include "harness/proc_parse.h"

#include <gtest/gtest.h>

#include "support/fixtures.h"

using namespace harness;

TEST(ProcParse, PidStatFromARealProcess) {
  const auto stat = parse_pid_stat(tbtest::fixture("proc/pid-stat.txt"));
  ASSERT_TRUE(stat);
  EXPECT_EQ(stat->pid, 1);
  EXPECT_EQ(stat->comm, "process_api");
  EXPECT_EQ(stat->state, 'S');
  EXPECT_EQ(stat->ppid, 0);
  EXPECT_EQ(stat->utime, 34u);
  EXPECT_EQ(stat->stime, 158u);
  EXPECT_EQ(stat->cpu_ticks(), 192u);
  EXPECT_EQ(stat->starttime, 24u);
}

TEST(ProcParse, CommWithSpacesAndParenthesesRunsToTheLastParenthesis) {
  const auto stat = parse_pid_stat(tbtest::fixture("proc/pid-stat-tricky-comm.txt"));
  ASSERT_TRUE(stat);
  EXPECT_EQ(stat->pid, 4242);
  EXPECT_EQ(stat->comm, "tun fwd) (x)");
  EXPECT_EQ(stat->state, 'R');
  EXPECT_EQ(stat->ppid, 7);
  EXPECT_EQ(stat->utime, 1234u);
  EXPECT_EQ(stat->stime, 567u);
  EXPECT_EQ(stat->starttime, 98765u);
}

TEST(ProcParse, BrokenPidStatIsRejected) {
  EXPECT_FALSE(parse_pid_stat(""));
  EXPECT_FALSE(parse_pid_stat("12 (x) S 1 2 3"));
  EXPECT_FALSE(parse_pid_stat("12 x S 1"));
}

TEST(ProcParse, VmRssInKilobytes) {
  EXPECT_EQ(parse_vmrss_kb(tbtest::fixture("proc/pid-status.txt")), 12444u);
  // Kernel threads have no VmRSS line.
  EXPECT_FALSE(parse_vmrss_kb(tbtest::fixture("proc/status-kernel-thread.txt")));
}

TEST(ProcParse, AggregateCpuLineOfProcStat) {
  const auto cpu = parse_proc_stat_cpu(tbtest::fixture("proc/stat.txt"));
  ASSERT_TRUE(cpu);
  EXPECT_EQ(cpu->user, 1815u);
  EXPECT_EQ(cpu->system, 1783u);
  EXPECT_EQ(cpu->idle, 89204u);
  EXPECT_EQ(cpu->steal, 10u);
  EXPECT_EQ(cpu->busy(), 1815u + 1783u + 239u);
  EXPECT_EQ(cpu->total(), 1815u + 1783u + 89204u + 324u + 239u + 10u);
  EXPECT_FALSE(parse_proc_stat_cpu("cpu0 1 2 3"));
}

TEST(ProcParse, SnmpCounterIsTheValueUnderItsNameInItsProtocolsLines) {
  const std::string snmp = tbtest::fixture("proc/snmp.txt");
  EXPECT_EQ(parse_snmp_counter(snmp, "Udp", "RcvbufErrors"), 29u);
  EXPECT_EQ(parse_snmp_counter(snmp, "Udp", "SndbufErrors"), 7u);
  EXPECT_EQ(parse_snmp_counter(snmp, "Udp", "InErrors"), 31u);
  EXPECT_EQ(parse_snmp_counter(snmp, "Ip", "InDiscards"), 5u);
  // "UdpLite:" is another protocol, not a longer spelling of "Udp:".
  EXPECT_EQ(parse_snmp_counter(snmp, "UdpLite", "RcvbufErrors"), 0u);
  EXPECT_FALSE(parse_snmp_counter(snmp, "Udp", "NoSuchField"));
  EXPECT_FALSE(parse_snmp_counter(snmp, "Sctp", "InErrors"));
  EXPECT_FALSE(parse_snmp_counter("Udp: InErrors\n", "Udp", "InErrors")) << "names without values";
}

TEST(ProcParse, Snmp6CounterIsTheValueOnItsNamesLine) {
  const std::string snmp6 = tbtest::fixture("proc/snmp6.txt");
  EXPECT_EQ(parse_snmp6_counter(snmp6, "Udp6RcvbufErrors"), 11u);
  EXPECT_EQ(parse_snmp6_counter(snmp6, "Udp6SndbufErrors"), 3u);
  EXPECT_EQ(parse_snmp6_counter(snmp6, "Udp6InErrors"), 13u);
  EXPECT_FALSE(parse_snmp6_counter(snmp6, "Udp6"));
  EXPECT_FALSE(parse_snmp6_counter("Udp6InErrors x\n", "Udp6InErrors"));
}

TEST(ProcParse, CpuModel) {
  EXPECT_EQ(parse_cpu_model(tbtest::fixture("proc/cpuinfo.txt")), "Intel(R) Xeon(R) Processor");
  EXPECT_EQ(parse_cpu_model("processor : 0\n"), "unknown");
}

#include "harness/machine.h"

#include <sys/utsname.h>
#include <unistd.h>

#include "harness/command.h"
#include "harness/proc_parse.h"

#ifndef TUNBENCH_VERSION
#define TUNBENCH_VERSION "unknown"
#endif

namespace harness {

nlohmann::json describe_machine() {
  nlohmann::json j;
  j["cpu_model"] = parse_cpu_model(read_file("/proc/cpuinfo"));
  j["cores"] = ::sysconf(_SC_NPROCESSORS_ONLN);
  utsname names{};
  if (::uname(&names) == 0) {
    j["kernel"] = std::string(names.sysname) + " " + names.release;
    j["hostname"] = names.nodename;
  }
  std::string iperf = "not found";
  try {
    const auto out = run_command({"iperf3", "--version"}).out;
    iperf = out.substr(0, out.find('\n'));
  } catch (const std::exception&) {
  }
  j["iperf3_version"] = iperf;
  j["tunbench_version"] = TUNBENCH_VERSION;
  return j;
}

}  // namespace harness

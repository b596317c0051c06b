#pragma once
// Rows of a harness::RunResult for the harness and report tests, built the way `tunbench run`
// builds them (kind, sampled, traits), so no test spells a row's fields out by position.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "harness/result.h"

namespace tbtest {

// One successful sample of pass `pass`: throughput, CPU average, peak RSS, retransmissions.
inline harness::Sample sample(int pass, double gbps, double cpu = 0, double mem = 0, std::int64_t retr = 0) {
  harness::Sample s;
  s.pass = pass;
  s.ok = true;
  s.iperf.gbps = gbps;
  s.iperf.retransmits = retr;
  s.monitor.cpu_avg = cpu;
  s.monitor.mem_max_mb = mem;
  return s;
}

// A kernel baseline: no processes sampled, ratios to the veth row.
inline harness::RowResult baseline_row(std::string label, std::string kind, std::vector<harness::Sample> samples = {}) {
  harness::RowResult r;
  r.label = std::move(label);
  r.kind = std::move(kind);
  r.implementation = "kernel";
  r.samples = std::move(samples);
  return r;
}

// A tunfwd mode as the registry would describe it (only the traits the reports read).
inline harness::RowResult tunfwd_row(std::string mode, bool offload, bool channel,
                                     std::vector<harness::Sample> samples = {}) {
  harness::RowResult r;
  r.label = mode;
  r.kind = "forwarder";
  r.sampled = true;
  r.command = "tunfwd --mode " + mode;
  r.implementation = "tunbench";
  r.mode = mode;
  r.traits = {{"name", mode}, {"offload", offload}, {"channel", channel}};
  r.samples = std::move(samples);
  return r;
}

// Another project's forwarder: nothing known about its shape; its implementation (by default
// the label: its own) and the mode of ours it mirrors ("" = none).
inline harness::RowResult forwarder_row(std::string label, std::string command,
                                        std::vector<harness::Sample> samples = {}, std::string implementation = {},
                                        std::string mode = {}) {
  harness::RowResult r;
  r.implementation = implementation.empty() ? label : std::move(implementation);
  r.mode = std::move(mode);
  r.label = std::move(label);
  r.kind = "forwarder";
  r.sampled = true;
  r.command = std::move(command);
  r.samples = std::move(samples);
  return r;
}

}  // namespace tbtest

#pragma once
// Applies the packet rules (packet_rules.h) and the TCP flag rules (flag_ledger.h) to what the
// captures of a case saw, and turns the findings into verdict evidence: one line per broken
// rule with how often and the first packet that broke it.
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "check/capture.h"
#include "check/verdict.h"

namespace check {

struct CaptureReview {
  std::size_t written = 0;        // packets the forwarder wrote (every device)
  std::size_t super_packets = 0;  // of those, with a GSO header
  std::size_t read = 0;           // packets the kernel sent into the devices for the forwarder
  std::size_t truncated = 0;      // not judged: cut short by the capture
  struct Finding {
    std::size_t count = 0;
    std::string first;  // "tun22: TCP … : TCP checksum 0x1234, expected 0x5678"
  };
  std::map<std::string, Finding> breaks;  // by rule
  std::vector<std::string> flag_violations;
  std::size_t flag_segments_checked = 0;
  bool complete = true;  // every capture kept every packet
  std::vector<std::string> notes;

  // Fails `verdict` once per broken rule; adds the counts as figures and notes.
  void apply(Verdict& verdict) const;
};

// `mtu_of`: each captured device's MTU.
CaptureReview review_captures(const std::vector<CaptureResult>& captures,
                              const std::map<std::string, std::size_t>& mtu_of);

}  // namespace check

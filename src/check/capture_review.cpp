#include "check/capture_review.h"

#include <fmt/format.h>

#include "check/flag_ledger.h"
#include "check/packet_rules.h"

namespace check {

CaptureReview review_captures(const std::vector<CaptureResult>& captures,
                              const std::map<std::string, std::size_t>& mtu_of) {
  CaptureReview r;
  FlagLedger ledger;
  for (const auto& c : captures) {
    if (!c.complete()) {
      r.complete = false;
      r.notes.push_back(fmt::format("the capture missed {} packet(s){}", c.dropped,
                                    c.overflow ? " and stopped keeping packets (memory cap)" : ""));
    }
    for (const auto& p : c.packets) {
      if (p.truncated) {
        ++r.truncated;
        continue;
      }
      if (!p.written) {
        ++r.read;
        ledger.add_input(as_captured(p.vnet, p.bytes.size()), p.bytes);
      }
    }
  }
  for (const auto& c : captures)
    for (const auto& p : c.packets) {
      if (!p.written || p.truncated) continue;
      ++r.written;
      if (p.vnet.is_gso()) ++r.super_packets;
      const auto header = as_captured(p.vnet, p.bytes.size());
      const auto mtu = mtu_of.contains(p.device) ? mtu_of.at(p.device) : std::size_t{65535};
      for (const auto& b : check_written_packet(header, p.bytes, mtu)) {
        auto& f = r.breaks[b.rule];
        if (f.count++ == 0) f.first = fmt::format("{}: {}: {}", p.device, describe_packet(p.bytes), b.detail);
      }
      ledger.add_output(header, p.bytes);
    }
  // A flag the forwarder wrote with no input that explains it is only evidence when every input
  // was seen; a missed one could have been that input.
  if (r.complete) {
    ledger.finish();
    r.flag_violations = ledger.violations();
    r.flag_segments_checked = ledger.output_segments();
  } else {
    r.notes.push_back("TCP flag rules not judged: the capture is incomplete");
  }
  return r;
}

void CaptureReview::apply(Verdict& v) const {
  for (const auto& [rule, f] : breaks)
    v.fail(fmt::format("{}: {} packet(s) written break it; first: {}", rule, f.count, f.first));
  if (!flag_violations.empty())
    v.fail(
        fmt::format("tcp-flags: {} segment(s) break it; first: {}", flag_violations.size(), flag_violations.front()));
  for (const auto& n : notes) v.note(n);
  auto& fig = v.figures();
  fig["packets_written"] = written;
  fig["super_packets_written"] = super_packets;
  fig["packets_read"] = read;
  fig["segments_flag_checked"] = flag_segments_checked;
  fig["capture_complete"] = complete;
}

}  // namespace check

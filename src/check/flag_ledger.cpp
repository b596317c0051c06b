#include "check/flag_ledger.h"

#include <algorithm>

#include <fmt/format.h>

#include "check/engine_cut.h"
#include "check/packet_rules.h"
#include "packet/ip_packet.h"
#include "packet/tcp_header.h"

namespace check {
namespace {

using packet::ConstTcpHeader;

}  // namespace

std::vector<FlagLedger::Segment> FlagLedger::segments(const vnet::VnetHeader& h, std::span<const std::uint8_t> p) {
  std::vector<std::vector<std::uint8_t>> pieces;
  if (h.is_gso()) {
    pieces = engine_cut(h, p);
    if (pieces.empty()) return {};
  } else {
    pieces.emplace_back(p.begin(), p.end());
  }
  std::vector<Segment> result;
  for (const auto& piece : pieces) {
    const auto parsed = packet::parse_ip(piece);
    if (!parsed.ok || parsed.layers.l4_protocol != packet::kProtoTcp) return {};
    const auto& l = parsed.layers;
    const auto l4 = std::span<const std::uint8_t>(piece).subspan(l.l4_offset);
    if (!ConstTcpHeader::fits(l4) || ConstTcpHeader(l4).header_length() > l4.size()) return {};
    const ConstTcpHeader t(l4);
    Segment s;
    s.flow.push_back(static_cast<char>(l.version));
    s.flow.append(l.src.begin(), l.src.end());
    s.flow.append(l.dst.begin(), l.dst.end());
    s.flow += fmt::format(":{}:{}", t.src_port(), t.dst_port());
    s.seq = t.seq();
    s.end = t.seq() + static_cast<std::uint32_t>(l4.size() - t.header_length());
    s.flags = t.flags();
    s.name = describe_packet(piece);
    result.push_back(std::move(s));
  }
  return result;
}

void FlagLedger::add_input(const vnet::VnetHeader& h, std::span<const std::uint8_t> p) {
  for (const auto& s : segments(h, p)) {
    ++input_segments_;
    auto& m = flows_[s.flow];
    if (s.flags & ConstTcpHeader::kPsh) m.psh_ends.insert(s.end);
    if (s.flags & ConstTcpHeader::kFin) m.fin_ends.insert(s.end);
    if (s.flags & ConstTcpHeader::kCwr) m.cwr_starts.insert(s.seq);
  }
}

void FlagLedger::add_output(const vnet::VnetHeader& h, std::span<const std::uint8_t> p) {
  for (const auto& s : segments(h, p)) {
    ++output_segments_;
    const auto it = flows_.find(s.flow);
    if (it == flows_.end()) continue;  // a flow whose input was not seen: nothing to compare with
    auto& m = it->second;
    if ((s.flags & ConstTcpHeader::kPsh) && !m.psh_ends.contains(s.end))
      violations_.push_back(fmt::format("PSH on {}, but no segment read ended at {} with PSH", s.name, s.end));
    if ((s.flags & ConstTcpHeader::kFin) && !m.fin_ends.contains(s.end))
      violations_.push_back(fmt::format("FIN on {}, but no segment read ended at {} with FIN", s.name, s.end));
    if (s.flags & ConstTcpHeader::kCwr) {
      if (!m.cwr_starts.contains(s.seq))
        violations_.push_back(fmt::format("CWR on {}, but no segment read started at {} with CWR", s.name, s.seq));
      m.cwr_written.insert(s.seq);
    } else if (m.cwr_starts.contains(s.seq)) {
      m.cwr_cleared.insert(s.seq);
    }
  }
}

void FlagLedger::finish() {
  for (const auto& [flow, m] : flows_)
    for (const auto seq : m.cwr_cleared)
      if (!m.cwr_written.contains(seq))
        violations_.push_back(fmt::format("a segment read with CWR at seq {} was written without it", seq));
}

}  // namespace check

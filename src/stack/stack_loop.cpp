#include "stack/stack_loop.h"

#include <algorithm>

#include "packet/view.h"
#include "stack/inbound.h"

namespace stack {

std::uint64_t StackLoop::next_deadline() {
  std::uint64_t deadline = tcp_.next_deadline();
  if (const auto u = udp_.next_deadline(); u != 0 && (deadline == 0 || u < deadline)) deadline = u;
  return deadline;
}

void StackLoop::on_packet(const vnet::VnetHeader& header, std::span<const std::uint8_t> packet, std::uint64_t now_ms) {
  ++counters_.packets_in;
  Inbound in;
  if (const auto drop = parse_inbound(header, packet, in)) {
    counters_.drop(*drop);
    return;
  }
  if (in.flow.protocol == packet::kProtoTcp)
    tcp_.on_segment(in, now_ms);
  else
    udp_.on_datagram(in, now_ms);
}

void StackLoop::on_socket(std::uint64_t token, Readiness readiness, std::uint64_t now_ms) {
  if (token & kUdpTokenBit)
    udp_.on_socket(token, readiness, now_ms);
  else
    tcp_.on_socket(token, readiness, now_ms);
}

bool StackLoop::finish(std::uint64_t now_ms) {
  udp_.flush();  // before the timers: a flow's held datagrams leave before it can be closed
  tcp_.on_timer(now_ms);
  udp_.on_timer(now_ms);
  tcp_.flush(now_ms);
  // One malloc_trim per burst of closed connections, nothing per packet.
  connections_peak_ = std::max(connections_peak_, tcp_.connections());
  if (connections_peak_ > tcp_.connections() + kTrimAfterClosing ||
      (tcp_.connections() == 0 && connections_peak_ >= kTrimWhenEmptyAfter)) {
    connections_peak_ = tcp_.connections();
    return true;
  }
  return false;
}

}  // namespace stack

#include "stack/udp_relay.h"

#include <cerrno>

#include "packet/encode.h"
#include "packet/udp_header.h"

namespace stack {

struct UdpRelay::Flow {
  FlowKey flow;
  std::uint64_t token = 0;
  std::unique_ptr<DatagramSocket> socket;
  std::uint64_t last_active = 0;
  // Off once the kernel refused a train (EINVAL: its datagrams are larger than the path to the
  // server carries unfragmented, and UDP_SEGMENT does not fragment): one send per datagram then.
  bool trains = true;
};

UdpRelay::UdpRelay(SocketFactory& sockets, PacketSink& sink, StackCounters& counters, UdpConfig config)
    : sockets_(sockets), sink_(sink), counters_(counters), config_(config) {}

UdpRelay::~UdpRelay() = default;

UdpRelay::Flow* UdpRelay::find(std::uint64_t token) const { return slots_.find(token); }

void UdpRelay::remove(Flow& f) {
  by_flow_.erase(f.flow);
  slots_.erase(f.token);
}

std::uint64_t UdpRelay::next_deadline() {
  while (!timers_.empty()) {
    const auto [at, token] = timers_.top();
    const Flow* f = find(token);
    if (f && f->last_active + config_.idle_ms == at) return at;
    timers_.pop();
    if (f) timers_.emplace(f->last_active + config_.idle_ms, token);  // it was active since
  }
  return 0;
}

void UdpRelay::on_timer(std::uint64_t now_ms) {
  while (!timers_.empty() && timers_.top().first <= now_ms) {
    const auto [at, token] = timers_.top();
    timers_.pop();
    Flow* f = find(token);
    if (!f) continue;
    if (f->last_active + config_.idle_ms > now_ms) {
      timers_.emplace(f->last_active + config_.idle_ms, token);
      continue;
    }
    remove(*f);
  }
}

void UdpRelay::on_datagram(const Inbound& in, std::uint64_t now_ms) {
  const std::size_t datagrams =
      in.gso_size == 0 || in.payload.empty() ? 1 : (in.payload.size() + in.gso_size - 1) / in.gso_size;
  Flow* f = nullptr;
  if (const auto it = by_flow_.find(in.flow); it != by_flow_.end()) {
    f = slots_.at(it->second);
  } else {
    if (by_flow_.size() >= config_.max_flows) {
      counters_.drop(Drop::kTooManyFlows, datagrams);
      return;
    }
    const auto [slot, token] = slots_.reserve(kUdpTokenBit);
    auto flow = std::make_unique<Flow>();
    flow->flow = in.flow;
    flow->token = token;
    int error = 0;
    flow->socket = sockets_.connect_udp(in.flow, flow->token, error);
    if (!flow->socket) {
      slots_.cancel(slot);
      counters_.drop(Drop::kUdpSend, datagrams);
      return;
    }
    ++counters_.udp_flows;
    by_flow_[in.flow] = slot;
    f = slots_.fill(slot, std::move(flow));
    timers_.emplace(now_ms + config_.idle_ms, f->token);
  }
  f->last_active = now_ms;
  const std::size_t size = in.payload.size();
  if (datagrams > 1 || size == 0 || !f->trains) {
    send_train();  // what came before goes first
    send(*f, in.payload, datagrams > 1 ? in.gso_size : 0, datagrams);
    return;
  }
  Train& t = train_;
  if (t.count != 0 && (t.token != f->token || t.closed || size > t.size || t.count == kMaxTrain ||
                       t.bytes.size() + size > kMaxTrainBytes))
    send_train();
  if (t.count == 0) {
    t.token = f->token;
    t.size = static_cast<std::uint16_t>(size);
  }
  t.bytes.insert(t.bytes.end(), in.payload.begin(), in.payload.end());
  ++t.count;
  t.closed = size < t.size;
}

void UdpRelay::flush() { send_train(); }

void UdpRelay::send_train() {
  Train& t = train_;
  if (t.count == 0) return;
  if (Flow* f = find(t.token); !f) {
    counters_.drop(Drop::kUdpSend, t.count);  // not reached: flows close on timers, after flush()
  } else if (t.count == 1) {
    send(*f, t.bytes, 0, 1);
  } else {
    const auto r = f->socket->send(t.bytes, t.size);
    if (r.error == EINVAL) {
      f->trains = false;
      for (std::size_t at = 0; at < t.bytes.size(); at += t.size)
        send(*f, std::span<const std::uint8_t>(t.bytes).subspan(at, std::min<std::size_t>(t.size, t.bytes.size() - at)),
             0, 1);
    } else {
      count_send(r, t.count);
    }
  }
  t.bytes.clear();
  t.count = 0;
  t.closed = false;
}

void UdpRelay::send(Flow& f, std::span<const std::uint8_t> payload, std::uint16_t gso_size, std::size_t datagrams) {
  count_send(f.socket->send(payload, gso_size), datagrams);
}

void UdpRelay::count_send(const IoResult& r, std::size_t datagrams) {
  if (r.ok())
    counters_.udp_datagrams_in += datagrams;
  else
    counters_.drop(r.error == EAGAIN || r.error == ENOBUFS ? Drop::kUdpBufferFull : Drop::kUdpSend, datagrams);
}

void UdpRelay::to_client(Flow& f, std::size_t payload, std::uint16_t gso_size) {
  packet::IpFields ip;
  ip.version = f.flow.version;
  ip.src = f.flow.server;
  ip.dst = f.flow.client;
  packet::UdpFields udp{f.flow.server_port, f.flow.client_port};
  const bool gso = gso_size != 0 && payload > gso_size;
  const std::size_t length = packet::encode_udp(sink_.buffer(), ip, udp, payload,
                                                gso ? packet::L4Checksum::kPartial : packet::L4Checksum::kFull);
  vnet::VnetHeader h;
  std::size_t datagrams = 1;
  if (gso) {
    h.flags = vnet::kFlagNeedsCsum;
    h.gso_type = vnet::kGsoUdpL4;
    h.gso_size = gso_size;
    h.hdr_len = static_cast<std::uint16_t>(packet::udp_headers_size(ip.version));
    h.csum_start = static_cast<std::uint16_t>(packet::ip_header_size(ip.version));
    h.csum_offset = static_cast<std::uint16_t>(packet::UdpHeader::kChecksumOffset);
    datagrams = (payload + gso_size - 1) / gso_size;
  }
  if (length == 0 || !sink_.send(length, h)) {
    counters_.drop(Drop::kTunWrite, datagrams);
    return;
  }
  ++counters_.packets_out;
  counters_.udp_datagrams_out += datagrams;
}

void UdpRelay::on_socket(std::uint64_t token, Readiness r, std::uint64_t now_ms) {
  Flow* f = find(token);
  if (!f || !(r.readable || r.error)) return;
  const std::size_t headers = packet::udp_headers_size(f->flow.version);
  // The sink's buffer holds one packet of up to 65535 bytes, headers included (IPv6's length
  // field would allow 40 more, the buffer does not).
  const std::size_t room = 65535 - headers;
  bool after_error = false;
  for (;;) {
    std::uint16_t gso_size = 0;
    const auto res = f->socket->receive(sink_.buffer().subspan(headers, room), gso_size);
    if (res.error == EMSGSIZE) {  // more than one packet to the client can carry: counted, not cut
      counters_.drop(Drop::kUdpTooBig);
      after_error = false;
      continue;
    }
    if (!res.ok()) {
      // EAGAIN: drained. Another error is an ICMP error for the flow (ECONNREFUSED…), which the
      // kernel reports once, ahead of the datagrams still queued: the socket is edge-triggered,
      // so read on, or they wait for the next datagram. Twice in a row: stop.
      if (res.error == EAGAIN || after_error) break;
      after_error = true;
      continue;
    }
    after_error = false;
    f->last_active = now_ms;
    to_client(*f, res.count, gso_size);
  }
}

}  // namespace stack

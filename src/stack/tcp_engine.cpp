#include "stack/tcp_engine.h"

#include <algorithm>
#include <cerrno>

#include "offload/plant.h"
#include "packet/encode.h"
#include "packet/tcp_header.h"
#include "stack/sack_scoreboard.h"
#include "stack/seq.h"

namespace stack {

namespace {

using packet::TcpHeader;
constexpr std::uint8_t kFin = TcpHeader::kFin, kSyn = TcpHeader::kSyn, kRst = TcpHeader::kRst, kPsh = TcpHeader::kPsh,
                       kAck = TcpHeader::kAckFlag;

// Largest IP packet, and so the largest super-packet we build.
constexpr std::size_t kMaxIpPacket = 65535;
// Room in the server socket above which a cached send_space() is not asked again: 16 super-
// packets, several times what one stream at 10 Gbps has in flight over the TUN.
constexpr std::size_t kSpaceRecheckBelow = 16 * kMaxIpPacket;
// The MSS a client that sends no MSS option gets (RFC 9293 §3.7.1).
constexpr std::uint16_t kDefaultMss4 = 536, kDefaultMss6 = 1220;

std::uint32_t payload_seq_length(const Inbound& in) {
  return static_cast<std::uint32_t>(in.payload.size()) + ((in.flags & kSyn) ? 1 : 0) + ((in.flags & kFin) ? 1 : 0);
}

// The IP and TCP fields of a segment from the server side of `flow` to its client.
struct ToClient {
  packet::IpFields ip;
  packet::TcpFields tcp;
};
ToClient to_client(const FlowKey& flow) {
  ToClient h;
  h.ip.version = flow.version;
  h.ip.src = flow.server;
  h.ip.dst = flow.client;
  h.tcp.src_port = flow.server_port;
  h.tcp.dst_port = flow.client_port;
  return h;
}

// The vnet header of a segment whose TCP checksum the receiving kernel completes.
vnet::VnetHeader partial_checksum(int ip_version) {
  vnet::VnetHeader h;
  h.flags = vnet::kFlagNeedsCsum;
  h.csum_start = static_cast<std::uint16_t>(packet::ip_header_size(ip_version));
  h.csum_offset = static_cast<std::uint16_t>(TcpHeader::kChecksumOffset);
  return h;
}

}  // namespace

struct TcpEngine::Connection {
  enum class State : std::uint8_t { kConnecting, kSynReceived, kEstablished, kLinger };

  Connection(HeldBudget& budget, ReassemblyLimits limits) : held(budget, limits) {}

  FlowKey flow;
  std::uint64_t token = 0;
  std::unique_ptr<StreamSocket> socket;
  State state = State::kConnecting;

  // From the client.
  std::uint32_t irs = 0;          // the client's initial sequence number
  std::uint32_t rcv_nxt = 0;      // next byte we expect (= what we acknowledge)
  std::uint32_t last_window = 0;  // the window we last advertised, in bytes
  bool ack_due = false;
  bool due_queued = false;
  std::uint64_t space_epoch = 0;  // `space` is the socket's send_space() in this loop iteration
  std::size_t space = 0;
  bool window_closed = false;  // we advertised less than a super-packet: update it when room comes back
  ReassemblyQueue held;        // data beyond a gap

  // To the client.
  std::uint32_t iss = 0;
  std::uint32_t snd_una = 0;   // first byte not acknowledged (= the head of the socket's receive queue)
  std::uint32_t snd_nxt = 0;   // next byte to send (peek offset = snd_nxt − snd_una)
  std::uint32_t snd_max = 0;   // one past the highest byte ever sent
  std::uint32_t snd_wnd = 0;   // the client's window, in bytes
  std::uint16_t send_mss = 0;  // payload bytes per segment to the client (options excluded)
  std::uint8_t snd_shift = 0;  // the client's window scale
  std::uint8_t rcv_shift = 0;  // ours (0 when the client does not scale)
  bool sack_ok = false;
  bool ts_ok = false;
  std::uint32_t ts_recent = 0;
  bool socket_has_data = false;  // readable seen, peek has not said EAGAIN since

  // Closing.
  bool client_fin = false;  // the client's FIN is in (and passed on as shutdown)
  bool server_eof = false;  // the server's FIN is in the socket
  bool fin_sent = false;
  std::uint32_t fin_seq = 0;
  bool fin_acked = false;

  // Timers and recovery.
  std::uint32_t srtt_ms = 0, rttvar_ms = 0, rto_ms = 0;
  std::uint32_t retries = 0;
  std::uint32_t dupacks = 0;
  SackScoreboard sacked;         // what the client holds beyond snd_una
  bool recovering = false;       // a SACK recovery is under way ...
  std::uint32_t recover = 0;     // ... until snd_una reaches this (snd_max when it began)
  std::uint32_t rexmit_nxt = 0;  // holes before this were resent in this recovery
  std::uint64_t rto_at = 0, persist_at = 0, expire_at = 0;
  std::uint64_t window_at = 0;  // re-check a closed window (see advertised_window())
  std::uint32_t window_poll_ms = 0;
  std::uint64_t armed_at = 0;  // the deadline last pushed on the timer heap

  std::uint64_t deadline() const {
    std::uint64_t d = 0;
    for (std::uint64_t t : {rto_at, persist_at, expire_at, window_at})
      if (t != 0 && (d == 0 || t < d)) d = t;
    return d;
  }
};

TcpEngine::TcpEngine(SocketFactory& sockets, PacketSink& sink, StackCounters& counters, TcpOptionsConfig config)
    : sockets_(sockets),
      sink_(sink),
      counters_(counters),
      config_(config),
      random_(config.isn_seed != 0 ? config.isn_seed : std::random_device{}()),
      held_budget_{0, config.held_bytes_total} {}

TcpEngine::~TcpEngine() = default;

TcpEngine::Connection* TcpEngine::find(std::uint64_t token) const { return slots_.find(token); }

TcpEngine::Connection* TcpEngine::create(const Inbound& in, std::uint64_t now_ms) {
  const auto [slot, token] = slots_.reserve();
  auto c = std::make_unique<Connection>(held_budget_, ReassemblyLimits{config_.held_bytes, config_.held_pieces});
  c->flow = in.flow;
  c->token = token;
  c->rto_ms = config_.initial_rto_ms;
  c->expire_at = now_ms + config_.connect_timeout_ms;
  by_flow_[in.flow] = slot;
  return slots_.fill(slot, std::move(c));
}

void TcpEngine::remove(Connection& c) {
  by_flow_.erase(c.flow);
  slots_.erase(c.token);  // closes the socket
}

std::uint64_t TcpEngine::next_deadline() {
  while (!timers_.empty()) {
    const auto [at, token] = timers_.top();
    const Connection* c = find(token);
    if (c && c->armed_at == at) return at;
    timers_.pop();  // stale: the connection is gone or rescheduled
  }
  return 0;
}

void TcpEngine::arm(Connection& c) {
  const std::uint64_t d = c.deadline();
  if (d == c.armed_at) return;
  c.armed_at = d;
  if (d != 0) timers_.emplace(d, c.token);
}

void TcpEngine::mark_due(Connection& c) {
  c.ack_due = true;
  if (c.due_queued) return;
  c.due_queued = true;
  due_.push_back(static_cast<std::uint32_t>(c.token));
}

// --- packets to the client ---------------------------------------------------------------------

std::size_t TcpEngine::header_size(const Connection& c) const {
  return packet::tcp_headers_size(c.flow.version, c.ts_ok ? kTimestampOptionSize : 0);
}

std::uint32_t TcpEngine::advertised_window(Connection& c) {
  // A system call (SIOCOUTQ), about 1 µs on a paravirtualised VM: asked at most once per loop
  // iteration, and only once what is left of the last answer, less what send() has taken since,
  // is small enough to hold the client back. The estimate only errs low, so the window never
  // promises more than the room, and its right edge stays put while bytes go to the socket. A
  // writable event or the window poll asks at once (space_epoch 0).
  if (c.space_epoch == 0 || (c.space_epoch != epoch_ && c.space < kSpaceRecheckBelow)) {
    c.space = c.socket ? c.socket->send_space() : 0;
    c.space_epoch = epoch_;
  }
  std::size_t space = c.space;
  const std::size_t max = std::size_t{0xFFFF} << c.rcv_shift;
  space = std::min(space, max);
  // What the window can say is a multiple of 2^rcv_shift: never promise more than the room.
  const auto window = static_cast<std::uint32_t>(space >> c.rcv_shift << c.rcv_shift);
  // A window smaller than one super-packet throttles the client, and once it has filled it,
  // nothing from the client will make us speak again. The kernel only signals room (EPOLLOUT)
  // after a send found none, so we poll: window_at re-checks soon and sends the update.
  c.window_closed = c.socket && window < kMaxIpPacket;
  return window;
}

void TcpEngine::emit(Connection& c, std::uint8_t flags, std::uint32_t seq, std::size_t payload, std::uint64_t now_ms) {
  // Timestamps on every segment when agreed; SACK blocks on those without data while data is
  // held beyond a gap (data segments keep a fixed header size: header_size()).
  std::array<std::uint8_t, 40> options{};
  std::size_t options_size = 0;
  if (c.ts_ok) {
    write_timestamps(static_cast<std::uint32_t>(now_ms), c.ts_recent,
                     std::span<std::uint8_t, kTimestampOptionSize>(options.data(), kTimestampOptionSize));
    options_size = kTimestampOptionSize;
  }
  if (c.sack_ok && payload == 0 && !(flags & kRst) && !c.held.empty()) {
    std::array<SackBlock, 4> blocks{};
    const std::size_t n = c.held.sack_blocks(blocks);
    options_size += write_sack(std::span<const SackBlock>(blocks.data(), n),
                               std::span<std::uint8_t>(options).subspan(options_size));
  }
  auto [ip, tcp] = to_client(c.flow);
  tcp.seq = seq;
  tcp.ack = c.rcv_nxt;
  tcp.flags = flags;
  const std::uint32_t window = (flags & kRst) ? 0 : advertised_window(c);
  c.last_window = window;
  tcp.window = static_cast<std::uint16_t>(window >> c.rcv_shift);
  tcp.options = std::span<const std::uint8_t>(options.data(), options_size);
  const auto buffer = sink_.buffer();
  const std::size_t length = packet::encode_tcp(buffer, ip, tcp, payload, packet::L4Checksum::kPartial);
  vnet::VnetHeader h = partial_checksum(ip.version);
  if (payload > c.send_mss) {
    h.gso_type = ip.version == 4 ? vnet::kGsoTcpV4 : vnet::kGsoTcpV6;
    h.gso_size = c.send_mss;
    h.hdr_len = static_cast<std::uint16_t>(header_size(c));
  }
  if (length == 0 || !sink_.send(length, h)) {
    counters_.drop(Drop::kTunWrite);
    return;
  }
  ++counters_.packets_out;
  c.ack_due = false;
  if (c.window_closed && c.window_at == 0) {
    c.socket->want_writable();
    c.window_poll_ms = 1;
    c.window_at = now_ms + c.window_poll_ms;
  }
}

void TcpEngine::emit_syn_ack(Connection& c, std::uint64_t now_ms) {
  std::array<std::uint8_t, 40> opts{};
  SynAckOptions o;
  o.mss = c.flow.version == 4 ? config_.mss_v4 : config_.mss_v6;
  o.sack_permitted = c.sack_ok;
  if (c.ts_ok) {
    o.ts_val = static_cast<std::uint32_t>(now_ms);
    o.ts_ecr = c.ts_recent;
  }
  if (c.rcv_shift != 0 || c.snd_shift != 0) o.window_scale = c.rcv_shift;
  const std::size_t n = write_syn_ack_options(o, opts);
  auto [ip, tcp] = to_client(c.flow);
  tcp.seq = c.iss;
  tcp.ack = c.rcv_nxt;
  tcp.flags = kSyn | kAck;
  // The window of a SYN is never scaled (RFC 7323 §2.2).
  tcp.window = static_cast<std::uint16_t>(std::min<std::size_t>(c.socket->send_space(), 0xFFFF));
  c.last_window = tcp.window;
  tcp.options = std::span<const std::uint8_t>(opts.data(), n);
  vnet::VnetHeader h = partial_checksum(ip.version);
  const std::size_t length = packet::encode_tcp(sink_.buffer(), ip, tcp, 0, packet::L4Checksum::kPartial);
  if (length == 0 || !sink_.send(length, h)) {
    counters_.drop(Drop::kTunWrite);
    return;
  }
  ++counters_.packets_out;
}

void TcpEngine::send_rst_for(const Inbound& in) {
  if (in.flags & kRst) return;  // never answer a RST with a RST
  auto [ip, tcp] = to_client(in.flow);
  if (in.flags & kAck) {  // RFC 9293 §3.10.7.1: take the sequence number from its ACK
    tcp.seq = in.ack;
    tcp.flags = kRst;
  } else {
    tcp.seq = 0;
    tcp.ack = in.seq + payload_seq_length(in);
    tcp.flags = kRst | kAck;
  }
  const std::size_t length = packet::encode_tcp(sink_.buffer(), ip, tcp, 0, packet::L4Checksum::kFull);
  if (length == 0 || !sink_.send(length, {})) {
    counters_.drop(Drop::kTunWrite);
    return;
  }
  ++counters_.packets_out;
}

void TcpEngine::reset(Connection& c, bool abort_socket) {
  if (c.state != Connection::State::kLinger) {
    const std::uint32_t seq = c.state == Connection::State::kConnecting ? 0 : c.snd_nxt;
    emit(c, kRst | kAck, seq, 0, 0);
  }
  if (abort_socket && c.socket) c.socket->abort();
  ++counters_.tcp_reset;
  remove(c);
}

// --- segments from the client ------------------------------------------------------------------

void TcpEngine::on_segment(const Inbound& in, std::uint64_t now_ms) {
  const auto it = by_flow_.find(in.flow);
  if (it == by_flow_.end()) {
    if ((in.flags & (kSyn | kAck | kRst)) == kSyn) {
      on_syn(in, now_ms);
      return;
    }
    counters_.drop(Drop::kNoConnection);
    send_rst_for(in);
    return;
  }
  Connection& c = *slots_.at(it->second);
  if (c.ts_ok && in.options.ts_val) c.ts_recent = *in.options.ts_val;

  if (in.flags & kRst) {
    // RFC 5961 §3: only an exact RST resets; one elsewhere in the window earns a challenge ACK.
    if (c.state == Connection::State::kConnecting || in.seq == c.rcv_nxt) {
      if (c.socket) c.socket->abort();
      ++counters_.tcp_reset;
      remove(c);
      return;
    }
    // In the window we advertised: a challenge ACK (a real peer answers it with an exact RST);
    // outside it: dropped without a word.
    counters_.drop(Drop::kOutOfWindow);
    const bool in_window = seq_ge(in.seq, c.rcv_nxt) && seq_lt(in.seq, c.rcv_nxt + c.last_window);
    if (in_window && c.state != Connection::State::kLinger) mark_due(c);
    return;
  }
  switch (c.state) {
    case Connection::State::kConnecting:
      // The client retransmits its SYN while the server has not answered us yet: nothing to say.
      return;
    case Connection::State::kSynReceived:
      if (in.flags & kSyn) {  // our SYN-ACK was lost
        if (in.seq == c.irs) emit_syn_ack(c, now_ms);
        return;
      }
      if (!(in.flags & kAck) || in.ack != c.iss + 1) {
        counters_.drop(Drop::kOutOfWindow);
        return;
      }
      c.state = Connection::State::kEstablished;
      c.snd_una = c.iss + 1;
      c.rto_at = 0;
      c.retries = 0;
      ++counters_.tcp_opened;
      break;
    case Connection::State::kLinger:
      // Everything is done; a retransmitted FIN means our last ACK was lost.
      if (in.flags & kFin) emit(c, kAck, c.snd_nxt, 0, now_ms);
      return;
    case Connection::State::kEstablished: break;
  }
  if (in.flags & kSyn) {  // a duplicate SYN on an established connection: re-acknowledge
    mark_due(c);
    return;
  }
  // Any of these may end the connection (reset() frees c): check by the token, not through c.
  const std::uint64_t token = c.token;
  if (in.flags & kAck) on_ack(c, in, now_ms);
  if (find(token) != &c) return;
  on_payload(c, in);
  if (find(token) != &c) return;
  send_data(c, now_ms);
  if (find(token) != &c) return;
  maybe_finish(c, now_ms);
  arm(c);
}

void TcpEngine::on_syn(const Inbound& in, std::uint64_t now_ms) {
  if (by_flow_.size() >= config_.max_connections) {
    counters_.drop(Drop::kTooManyFlows);
    send_rst_for(in);
    return;
  }
  Connection& c = *create(in, now_ms);
  c.irs = in.seq;
  c.rcv_nxt = in.seq + 1;
  const auto& o = in.options;
  const std::uint16_t fallback = in.flow.version == 4 ? kDefaultMss4 : kDefaultMss6;
  c.ts_ok = o.ts_val.has_value();
  c.ts_recent = o.ts_val.value_or(0);
  c.sack_ok = o.sack_permitted;
  if (o.window_scale) {
    c.snd_shift = *o.window_scale;
    c.rcv_shift = config_.window_scale;
  }
  const std::uint16_t mss = o.mss.value_or(fallback);
  // At least 64, and at most what one packet of 65535 bytes carries behind our headers.
  const int options = c.ts_ok ? static_cast<int>(kTimestampOptionSize) : 0;
  c.send_mss =
      static_cast<std::uint16_t>(std::clamp<int>(mss - options, 64, static_cast<int>(kMaxIpPacket - header_size(c))));
  c.snd_wnd = in.window;  // a SYN's window is not scaled
  int error = 0;
  c.socket = sockets_.connect_tcp(in.flow, c.token, error);
  if (!c.socket) {
    ++counters_.tcp_refused;
    send_rst_for(in);
    remove(c);
    return;
  }
  arm(c);
}

void TcpEngine::refuse(Connection& c) {
  // As if answering the client's SYN with nothing listening behind it.
  Inbound syn;
  syn.flow = c.flow;
  syn.seq = c.irs;
  syn.flags = kSyn;
  ++counters_.tcp_refused;
  send_rst_for(syn);
  remove(c);
}

void TcpEngine::on_connected(Connection& c, std::uint64_t now_ms) {
  if (c.socket->connect_error() != 0) {
    refuse(c);
    return;
  }
  c.iss = static_cast<std::uint32_t>(random_());
  c.snd_una = c.iss;
  c.snd_nxt = c.snd_max = c.iss + 1;
  c.state = Connection::State::kSynReceived;
  c.expire_at = 0;
  c.rto_at = now_ms + c.rto_ms;
  emit_syn_ack(c, now_ms);
  arm(c);
}

void TcpEngine::on_ack(Connection& c, const Inbound& in, std::uint64_t now_ms) {
  const std::uint32_t ack = in.ack;
  const std::uint32_t window = static_cast<std::uint32_t>(in.window) << c.snd_shift;
  if (seq_gt(ack, c.snd_max)) {  // acknowledges what we never sent
    counters_.drop(Drop::kOutOfWindow);
    mark_due(c);
    return;
  }
  if (c.sack_ok && in.options.sack_count != 0)
    c.sacked.add(std::span<const SackBlock>(in.options.sack.data(), in.options.sack_count),
                 seq_gt(ack, c.snd_una) ? ack : c.snd_una, c.snd_max);
  if (seq_gt(ack, c.snd_una)) {
    std::uint32_t acked = ack - c.snd_una;
    // Only a FIN we sent makes ack reach fin_seq + 1; a go-back may have cleared fin_sent since.
    if (c.server_eof && !c.fin_acked && ack == c.fin_seq + 1) {
      c.fin_acked = true;
      c.fin_sent = true;  // nothing to resend: send_data() must not look for the FIN again
      --acked;            // the FIN takes a sequence number, not a byte
    }
    if (acked != 0) {
      // Dropped from the socket at once, not once per batch: deferring it to flush() cost 4 % of
      // the download (0.887 → 0.851 of the direct path, 5 interleaved passes, AMD EPYC), the
      // server's window opening later.
      const auto r = c.socket->consume(acked);
      if (!r.ok() && r.error != EAGAIN) {
        reset(c, true);
        return;
      }
    }
    c.snd_una = ack;
    if (seq_lt(c.snd_nxt, c.snd_una)) c.snd_nxt = c.snd_una;
    c.dupacks = 0;
    c.retries = 0;
    c.sacked.advance(ack);
    if (c.recovering) {
      if (seq_ge(ack, c.recover)) {
        c.recovering = false;
      } else {
        // A partial ACK (RFC 6582): the byte at snd_una is missing too. Resend the holes the
        // scoreboard shows from here; with none above it, fall back to going back.
        if (seq_lt(c.rexmit_nxt, ack)) c.rexmit_nxt = ack;
        if (c.sacked.next_hole(c.rexmit_nxt)) {
          resend_holes(c, now_ms);
        } else if (c.rexmit_nxt == ack) {
          go_back(c);
        }
      }
    }
    // RTT from the echoed timestamp (RFC 6298 §2 with RFC 7323 §4).
    if (c.ts_ok && in.options.ts_ecr != 0) {
      const auto sample = static_cast<std::uint32_t>(now_ms) - in.options.ts_ecr;
      if (sample < 60000) {
        if (c.srtt_ms == 0) {
          c.srtt_ms = std::max<std::uint32_t>(sample, 1);
          c.rttvar_ms = c.srtt_ms / 2;
        } else {
          const std::uint32_t diff = c.srtt_ms > sample ? c.srtt_ms - sample : sample - c.srtt_ms;
          c.rttvar_ms = (3 * c.rttvar_ms + diff) / 4;
          c.srtt_ms = (7 * c.srtt_ms + sample) / 8;
        }
        c.rto_ms = std::clamp(c.srtt_ms + std::max<std::uint32_t>(4 * c.rttvar_ms, 10), config_.min_rto_ms,
                              config_.max_rto_ms);
      }
    }
    c.rto_at = c.snd_una == c.snd_max ? 0 : now_ms + c.rto_ms;
  } else if (ack == c.snd_una && in.payload.empty() && !(in.flags & (kSyn | kFin)) && window == c.snd_wnd &&
             c.snd_una != c.snd_max) {
    if (++c.dupacks == config_.dupack_threshold) {
      ++counters_.retransmits_fast;
      if (c.sacked.empty()) {
        go_back(c);
      } else {
        c.recovering = true;
        c.recover = c.snd_max;
        c.rexmit_nxt = c.snd_una;
        resend_holes(c, now_ms);
      }
    } else if (c.recovering) {
      resend_holes(c, now_ms);  // the blocks of this ACK may show holes further up
    }
  }
  c.snd_wnd = window;
  if (window != 0) c.persist_at = 0;
}

void TcpEngine::on_payload(Connection& c, const Inbound& in) {
  std::span<const std::uint8_t> data = in.payload;
  const bool fin = in.flags & kFin;
  if (data.empty() && !fin) {
    // An empty segment below rcv_nxt is a zero-window probe or a keep-alive (RFC 9293
    // §3.8.6.1, §3.8.4): not acceptable, so it is answered with an ACK and the current window.
    if (seq_lt(in.seq, c.rcv_nxt)) mark_due(c);
    return;
  }
  // Test-only (offload/plant.h): compiles to nothing unless configured with -DTUNBENCH_PLANT=stack-rx-N.
  if constexpr (offload::plant::kStackRxPercent != 0)
    offload::plant::burn(data.data(), data.size(),
                         offload::plant::kStackRxPercent * offload::plant::kStackRoundsPerPercent);
  if (c.client_fin) {  // nothing follows the FIN: a retransmission, acknowledge again
    mark_due(c);
    return;
  }
  if (seq_gt(in.seq, c.rcv_nxt)) {
    hold(c, in);
    mark_due(c);  // the duplicate ACK (with SACK blocks) tells the client what is missing
    return;
  }
  if (seq_lt(in.seq, c.rcv_nxt)) {  // starts with what we already took
    const std::uint32_t skip = c.rcv_nxt - in.seq;
    if (skip > data.size()) {  // entirely old: acknowledge again
      mark_due(c);
      return;
    }
    data = data.subspan(skip);
  }
  const std::uint32_t before = c.rcv_nxt;
  if (!deliver(c, data)) return;
  if (c.rcv_nxt - before == data.size()) {
    if (fin) {
      client_finished(c);
    } else if (!deliver_held(c)) {
      return;
    }
  }
  mark_due(c);
}

void TcpEngine::hold(Connection& c, const Inbound& in) {
  const auto r = c.held.insert(c.rcv_nxt, c.last_window, in.seq, in.payload, (in.flags & kFin) != 0);
  counters_.bytes_held += r.stored;
  // Not held (outside the window we offered, or over a limit): the client sends it again.
  if (r.refused != 0) counters_.drop(Drop::kOutOfOrder);
}

bool TcpEngine::deliver(Connection& c, std::span<const std::uint8_t> data) {
  if (data.empty()) return true;
  const auto r = c.socket->send(data);
  if (!r.ok() && r.error != EAGAIN) {
    reset(c, true);
    return false;
  }
  c.rcv_nxt += static_cast<std::uint32_t>(r.count);
  counters_.bytes_to_sockets += r.count;
  c.space -= std::min(c.space, r.count);
  if (r.count < data.size()) {
    // Not acknowledged, so the client sends it again once our window opens (held bytes wait for
    // the socket's writable event).
    counters_.drop(Drop::kSocketFull);
    c.window_closed = true;
  }
  c.held.advance(c.rcv_nxt);
  return true;
}

bool TcpEngine::deliver_held(Connection& c) {
  for (auto run = c.held.front(c.rcv_nxt); !run.empty(); run = c.held.front(c.rcv_nxt)) {
    const std::uint32_t before = c.rcv_nxt;
    if (!deliver(c, run)) return false;
    const std::uint32_t written = c.rcv_nxt - before;
    counters_.bytes_reassembled += written;
    if (written < run.size()) return true;  // the socket is full: the rest waits
  }
  if (c.held.fin_at(c.rcv_nxt)) client_finished(c);
  return true;
}

void TcpEngine::client_finished(Connection& c) {
  c.rcv_nxt += 1;
  c.client_fin = true;
  c.held.clear();
  c.socket->shutdown_write();
}

// --- data to the client ------------------------------------------------------------------------

void TcpEngine::go_back(Connection& c) {
  c.snd_nxt = c.snd_una;
  c.recovering = false;
  c.sacked.clear();
  c.socket->seek(0);
  c.socket_has_data = true;
  if (c.fin_sent && !c.fin_acked) c.fin_sent = false;  // resent when the data before it is
}

void TcpEngine::resend_holes(Connection& c, std::uint64_t now_ms) {
  const std::size_t headers = header_size(c);
  const std::size_t most = max_payload(c);
  bool moved = false;
  // Holes lie below snd_max, and a hole's bytes are still in the socket (nothing SACKed or
  // after it was consumed): each resend peeks them at their offset from snd_una.
  for (auto hole = c.sacked.next_hole(c.rexmit_nxt); hole; hole = c.sacked.next_hole(c.rexmit_nxt)) {
    std::uint32_t seq = hole->left;
    while (seq_lt(seq, hole->right)) {
      const std::size_t want = std::min<std::size_t>(hole->right - seq, most);
      c.socket->seek(seq - c.snd_una);
      moved = true;
      const auto r = c.socket->peek(sink_.buffer().subspan(headers, want));
      if (!r.ok() || r.count == 0) break;  // the socket has less than we sent: the timer handles it
      emit(c, kAck, seq, r.count, now_ms);
      ++counters_.holes_resent;
      counters_.bytes_to_client += r.count;
      seq += static_cast<std::uint32_t>(r.count);
    }
    c.rexmit_nxt = hole->right;
  }
  if (moved) c.socket->seek(c.snd_nxt - c.snd_una);  // new data goes on from where it was
}

std::size_t TcpEngine::max_payload(const Connection& c) const {
  // The sink's buffer holds one packet of up to 65535 bytes, headers included: for IPv4 that is
  // also what its length field allows; IPv6 could count 40 more but the buffer has no room.
  return (kMaxIpPacket - header_size(c)) / c.send_mss * c.send_mss;
}

void TcpEngine::send_data(Connection& c, std::uint64_t now_ms) {
  if (c.state != Connection::State::kEstablished) return;
  const std::size_t headers = header_size(c);
  const std::size_t most = max_payload(c);
  while (!c.fin_sent) {
    const bool fin_next = c.server_eof && c.snd_nxt == c.fin_seq;
    if (fin_next) {
      // Every byte before the server's FIN is out: the FIN follows (it needs no window).
      emit(c, kFin | kAck, c.snd_nxt, 0, now_ms);
      c.fin_sent = true;
      c.snd_nxt += 1;
      if (seq_gt(c.snd_nxt, c.snd_max)) c.snd_max = c.snd_nxt;
      if (c.rto_at == 0) c.rto_at = now_ms + c.rto_ms;
      return;
    }
    if (!c.socket_has_data) return;
    const std::uint32_t in_flight = c.snd_nxt - c.snd_una;
    const std::uint32_t room = c.snd_wnd > in_flight ? c.snd_wnd - in_flight : 0;
    if (room == 0) {
      if (c.snd_wnd == 0 && c.persist_at == 0) c.persist_at = now_ms + c.rto_ms;
      return;
    }
    const std::size_t want = std::min<std::size_t>(room, most);
    const auto r = c.socket->peek(sink_.buffer().subspan(headers, want));
    if (r.error == EAGAIN) {
      c.socket_has_data = false;
      return;
    }
    if (!r.ok()) {  // the server reset the connection
      reset(c, false);
      return;
    }
    if (r.count == 0) {  // the server's FIN, after everything it sent
      c.server_eof = true;
      c.fin_seq = c.snd_nxt;
      continue;
    }
    // PSH when this empties what the server has sent so far. (The next peek still asks: a FIN
    // that came with this data brings no readable event of its own.)
    emit(c, static_cast<std::uint8_t>(kAck | (r.count < want ? kPsh : 0)), c.snd_nxt, r.count, now_ms);
    c.snd_nxt += static_cast<std::uint32_t>(r.count);
    if (seq_gt(c.snd_nxt, c.snd_max)) c.snd_max = c.snd_nxt;
    counters_.bytes_to_client += r.count;
    if (c.rto_at == 0) c.rto_at = now_ms + c.rto_ms;
  }
}

// --- events, timers, the end -------------------------------------------------------------------

void TcpEngine::on_socket(std::uint64_t token, Readiness r, std::uint64_t now_ms) {
  Connection* c = find(token);
  if (!c) return;  // an event for a connection already gone
  if (c->state == Connection::State::kConnecting) {
    if (r.writable || r.error) on_connected(*c, now_ms);
    return;
  }
  if (c->state == Connection::State::kLinger) return;
  if (r.readable || r.error) c->socket_has_data = true;
  if (r.writable) c->space_epoch = 0;    // the room changed: ask the socket again
  if (r.writable && c->window_closed) {  // room again: held bytes first, then tell the client
    if (!deliver_held(*c)) return;
    mark_due(*c);
  }
  if (c->state == Connection::State::kEstablished) send_data(*c, now_ms);
  if (find(token) != c) return;
  maybe_finish(*c, now_ms);
  if (find(token) == c) arm(*c);
}

void TcpEngine::flush(std::uint64_t now_ms) {
  for (const std::uint32_t slot : due_) {
    Connection* found = slots_.at(slot);
    if (!found) continue;
    Connection& c = *found;
    c.due_queued = false;
    if (!c.ack_due || c.state == Connection::State::kConnecting) continue;
    // A pure ACK carries the current window, so it also serves as the window update.
    if (c.state != Connection::State::kLinger) {
      emit(c, kAck, c.snd_nxt, 0, now_ms);
      arm(c);  // emit() may have started the window check (a closed window)
    }
  }
  due_.clear();
  ++epoch_;  // the next loop iteration asks the sockets for their room again
}

void TcpEngine::maybe_finish(Connection& c, std::uint64_t now_ms) {
  if (c.state != Connection::State::kEstablished || !c.client_fin || !c.fin_acked) return;
  // The ACK of the client's FIN is still due when it came after our FIN was acknowledged:
  // send it now, flush() says nothing for a lingering connection.
  if (c.ack_due) emit(c, kAck, c.snd_nxt, 0, now_ms);
  ++counters_.tcp_closed;
  c.state = Connection::State::kLinger;
  c.socket.reset();
  c.rto_at = c.persist_at = c.window_at = 0;
  c.expire_at = now_ms + config_.linger_ms;
}

void TcpEngine::on_rto(Connection& c, std::uint64_t now_ms) {
  c.rto_at = 0;
  if (++c.retries > (c.state == Connection::State::kSynReceived ? config_.syn_ack_retries : config_.max_retries)) {
    ++counters_.tcp_expired;
    reset(c, true);
    return;
  }
  c.rto_ms = std::min(c.rto_ms * 2, config_.max_rto_ms);  // RFC 6298 §5.5
  if (c.state == Connection::State::kSynReceived) {
    emit_syn_ack(c, now_ms);
    c.rto_at = now_ms + c.rto_ms;
    return;
  }
  if (c.snd_una == c.snd_max) return;  // all acknowledged meanwhile
  ++counters_.retransmits_timeout;
  const std::uint64_t token = c.token;
  go_back(c);
  send_data(c, now_ms);
  if (find(token) == &c && c.rto_at == 0 && c.snd_una != c.snd_max) c.rto_at = now_ms + c.rto_ms;
}

void TcpEngine::on_persist(Connection& c, std::uint64_t now_ms) {
  c.persist_at = 0;
  if (c.snd_wnd != 0) return;
  // A zero-window probe: an ACK one below what the client expects makes it answer with its
  // current window (RFC 9293 §3.8.6.1).
  ++counters_.window_probes;
  emit(c, kAck, c.snd_una - 1, 0, now_ms);
  c.persist_at = now_ms + std::min(c.rto_ms * 2, config_.max_rto_ms);
}

void TcpEngine::on_window_check(Connection& c, std::uint64_t now_ms) {
  c.window_at = 0;
  if (!c.window_closed || c.state != Connection::State::kEstablished) return;
  const std::uint32_t before = c.last_window;
  c.space_epoch = 0;
  const std::uint32_t now_window = advertised_window(c);
  if (now_window >= before + c.send_mss || !c.window_closed) {
    emit(c, kAck, c.snd_nxt, 0, now_ms);  // the window update
    return;
  }
  // Still closed: look again (the writable event usually comes first), less often the longer it
  // stays closed, but never so rarely that a stalled client waits long (at most every 4 ms).
  c.window_poll_ms = std::min<std::uint32_t>(c.window_poll_ms * 2, 4);
  c.window_at = now_ms + c.window_poll_ms;
}

void TcpEngine::on_timer(std::uint64_t now_ms) {
  while (!timers_.empty() && timers_.top().first <= now_ms) {
    const auto [at, token] = timers_.top();
    timers_.pop();
    Connection* c = find(token);
    if (!c || c->armed_at != at) continue;
    c->armed_at = 0;
    if (c->expire_at != 0 && c->expire_at <= now_ms) {
      if (c->state == Connection::State::kLinger) {
        remove(*c);
        continue;
      }
      refuse(*c);  // a server that never answered the connect
      continue;
    }
    if (c->rto_at != 0 && c->rto_at <= now_ms) on_rto(*c, now_ms);
    if (find(token) != c) continue;
    if (c->window_at != 0 && c->window_at <= now_ms) on_window_check(*c, now_ms);
    if (c->persist_at != 0 && c->persist_at <= now_ms) on_persist(*c, now_ms);
    arm(*c);
  }
}

}  // namespace stack

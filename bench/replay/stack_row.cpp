#include "stack_row.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <deque>
#include <memory>
#include <utility>
#include <vector>

#include "alloc_counter.h"
#include "device_scope.h"
#include "measurement.h"
#include "packet/ip_packet.h"
#include "packet/tcp_header.h"
#include "packet/udp_header.h"
#include "packet/view.h"
#include "stack/counters.h"
#include "stack/inbound.h"
#include "stack/packet_sink.h"
#include "stack/socket.h"
#include "stack/stack_loop.h"
#include "stack/tcp_engine.h"
#include "stack/tcp_options.h"
#include "stack/udp_relay.h"

namespace replay {

namespace {

using stack::IoResult;
constexpr std::uint8_t kSyn = packet::TcpHeader::kSyn, kAck = packet::TcpHeader::kAckFlag,
                       kRst = packet::TcpHeader::kRst;

constexpr std::uint64_t kStartMs = 1'000'000;
constexpr std::uint32_t kClientIsn = 1000;
constexpr std::uint32_t kClientTs = 5000;
constexpr std::uint8_t kClientShift = 3;
// The client's receive window in a download: 4 of the stack's super-packets (with shift 3 the
// window field says it exactly), so each ACK of one super-packet lets the next one go.
constexpr std::size_t kDownloadWindowPackets = 4;
// What the upload's socket reports as room in its send buffer: the "server" reads as fast as the
// stack writes, so our window never closes.
constexpr std::size_t kUploadSendSpace = std::size_t{4} << 20;
// A row that needs more wake-ups than this is stuck.
constexpr std::size_t kMaxWakeUps = 1'000'000;

bool is_tcp(const StackWorkload& w) {
  return w.traffic == StackTraffic::kTcpUpload || w.traffic == StackTraffic::kTcpDownload;
}

// The server's bytes: a fixed pattern, twice the largest read so any read is one copy.
const std::array<std::uint8_t, 2 * 65536>& pattern() {
  static const auto bytes = [] {
    std::array<std::uint8_t, 2 * 65536> b{};
    for (std::size_t i = 0; i < b.size(); ++i) b[i] = static_cast<std::uint8_t>(i * 13 + 5);
    return b;
  }();
  return bytes;
}

void copy_pattern(std::uint64_t position, std::span<std::uint8_t> out) {
  std::memcpy(out.data(), pattern().data() + position % 65536, out.size());
}

// The kernel sockets' side of the row: what they were asked and what the server holds.
struct Server {
  std::uint64_t calls = 0;           // every socket call (each a system call in tunstack)
  std::uint64_t accepted = 0;        // TCP upload: bytes send() took
  std::uint64_t bytes = 0;           // TCP download: the server's bytes (all in the receive buffer at once)
  std::uint64_t consumed = 0;        // … dropped from it as the client acknowledged them
  std::uint64_t datagrams_sent = 0;  // UDP upload: datagrams sent (a UDP_SEGMENT send counts each)
  std::size_t runs_left = 0;         // UDP download: GRO runs the server still sends …
  std::size_t runs_now = 0;          // … of which readable at this wake-up
  std::size_t run_payload = 0;
  std::uint16_t run_gso = 0;
  std::uint64_t stream_token = 0, datagram_token = 0;  // (a TCP token may be 0)
  bool stream_open = false, datagram_open = false;
  std::vector<std::pair<std::uint64_t, stack::Readiness>> next_events;  // for the next wake-up
};

class BenchStream final : public stack::StreamSocket {
 public:
  explicit BenchStream(Server& s) : s_(s) {}
  int connect_error() override {
    DeviceScope scope;
    ++s_.calls;
    return 0;
  }
  IoResult send(std::span<const std::uint8_t> bytes) override {
    DeviceScope scope;
    ++s_.calls;
    s_.accepted += bytes.size();
    return {bytes.size(), 0};
  }
  std::size_t send_space() override {
    DeviceScope scope;
    ++s_.calls;
    return kUploadSendSpace;
  }
  void want_writable() override {
    DeviceScope scope;
    ++s_.calls;
  }
  IoResult peek(std::span<std::uint8_t> out) override {
    DeviceScope scope;
    ++s_.calls;
    const std::uint64_t available = s_.bytes - s_.consumed;
    if (offset_ >= available) return {0, EAGAIN};
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), available - offset_));
    copy_pattern(s_.consumed + offset_, out.first(n));
    offset_ += n;
    return {n, 0};
  }
  IoResult consume(std::size_t n) override {
    DeviceScope scope;
    ++s_.calls;
    n = static_cast<std::size_t>(std::min<std::uint64_t>(n, s_.bytes - s_.consumed));
    s_.consumed += n;
    offset_ = offset_ > n ? offset_ - n : 0;
    return {n, 0};
  }
  void seek(std::size_t offset) override {
    DeviceScope scope;
    ++s_.calls;
    offset_ = std::min<std::uint64_t>(offset, s_.bytes - s_.consumed);
  }
  void shutdown_write() override {
    DeviceScope scope;
    ++s_.calls;
  }
  void abort() override {
    DeviceScope scope;
    ++s_.calls;
  }

 private:
  Server& s_;
  std::uint64_t offset_ = 0;  // the peek offset past the first byte not consumed
};

class BenchDatagram final : public stack::DatagramSocket {
 public:
  explicit BenchDatagram(Server& s) : s_(s) {}
  IoResult send(std::span<const std::uint8_t> payload, std::uint16_t gso_size) override {
    DeviceScope scope;
    ++s_.calls;
    s_.datagrams_sent += gso_size == 0 || payload.empty() ? 1 : (payload.size() + gso_size - 1) / gso_size;
    return {payload.size(), 0};
  }
  IoResult receive(std::span<std::uint8_t> out, std::uint16_t& gso_size) override {
    DeviceScope scope;
    ++s_.calls;
    if (s_.runs_now == 0 || s_.runs_left == 0) return {0, EAGAIN};
    --s_.runs_now;
    --s_.runs_left;
    const std::size_t n = std::min(out.size(), s_.run_payload);
    copy_pattern(s_.runs_left, out.first(n));
    gso_size = s_.run_gso;
    return {n, n < s_.run_payload ? EMSGSIZE : 0};
  }

 private:
  Server& s_;
};

class BenchSockets final : public stack::SocketFactory {
 public:
  explicit BenchSockets(Server& s) : s_(s) {}
  std::unique_ptr<stack::StreamSocket> connect_tcp(const stack::FlowKey&, std::uint64_t token, int&) override {
    DeviceScope scope;
    ++s_.calls;
    s_.stream_token = token;
    s_.stream_open = true;
    return std::make_unique<BenchStream>(s_);
  }
  std::unique_ptr<stack::DatagramSocket> connect_udp(const stack::FlowKey&, std::uint64_t token, int&) override {
    DeviceScope scope;
    ++s_.calls;
    s_.datagram_token = token;
    s_.datagram_open = true;
    return std::make_unique<BenchDatagram>(s_);
  }

 private:
  Server& s_;
};

// The client behind the TUN: what it wrote waits to be read by the stack; what the stack writes
// to it is taken apart, and in a download answered with an ACK per data packet (readable from
// the next wake-up on).
class Client {
 public:
  Client(const StackWorkload& w, stack::FlowKey flow) : w_(w), flow_(flow) {}

  DeviceCounts counts;         // the TUN reads (the stack's side)
  std::uint32_t iss = 0;       // the stack's, from its SYN-ACK
  std::uint32_t stack_ts = 0;  // the stack's latest timestamp
  bool syn_ack = false;
  std::uint32_t acked = 0;         // the stack's latest ACK number
  std::uint32_t rcv_nxt = 0;       // download: the next byte the client expects
  std::uint64_t received = 0;      // TCP payload bytes received
  std::uint64_t datagrams = 0;     // UDP datagrams received
  std::uint64_t out_of_order = 0;  // data that did not continue where the last ended
  std::uint64_t resets = 0;
  std::uint64_t malformed = 0;

  void write(Read r) { pending_.push_back(std::move(r)); }
  // A wake-up: the packets there are now (`limit`: at most the workload's batch).
  std::size_t arm(bool limit) {
    DeviceScope scope;
    ready_ = limit ? std::min(w_.batch, pending_.size()) : pending_.size();
    return ready_;
  }
  // tunstack's TUN read: the next packet, copied into `buffer`; false when none is ready (EAGAIN).
  bool read(std::span<std::uint8_t> buffer, vnet::VnetHeader& header, std::size_t& length) {
    DeviceScope scope;
    if (ready_ == 0) return false;
    --ready_;
    const Read& r = pending_.front();
    length = std::min(buffer.size(), r.bytes.size());
    std::memcpy(buffer.data(), r.bytes.data(), length);
    header = r.header;
    ++counts.reads;
    ++counts.read_packets;
    counts.bytes_in += length;
    pending_.pop_front();
    return true;
  }
  // A packet the stack wrote (called inside the sink's DeviceScope); returns the segments it
  // stands for.
  std::uint64_t receive(const vnet::VnetHeader& h, std::span<const std::uint8_t> bytes) {
    const auto ip = packet::parse_ip(bytes);
    if (!ip.ok) {
      ++malformed;
      return 1;
    }
    const auto l4 = bytes.subspan(ip.layers.l4_offset);
    if (ip.layers.l4_protocol == packet::kProtoUdp && packet::ConstUdpHeader::fits(l4)) {
      const std::size_t payload = l4.size() - packet::ConstUdpHeader::kSize;
      const std::uint64_t n = h.is_gso() ? (payload + h.gso_size - 1) / h.gso_size : 1;
      datagrams += n;
      return n;
    }
    if (ip.layers.l4_protocol != packet::kProtoTcp || !packet::ConstTcpHeader::fits(l4)) {
      ++malformed;
      return 1;
    }
    const packet::ConstTcpHeader t(l4);
    stack::TcpOptions options;
    if (t.header_length() > l4.size() || !stack::parse_tcp_options(t.options(), options)) {
      ++malformed;
      return 1;
    }
    if (options.ts_val) stack_ts = *options.ts_val;
    if (t.flags() & kRst) ++resets;
    if ((t.flags() & (kSyn | kAck)) == (kSyn | kAck)) {
      iss = t.seq();
      syn_ack = true;
      return 1;
    }
    acked = t.ack();
    const std::size_t payload = l4.size() - t.header_length();
    if (payload == 0) return 1;
    received += payload;
    if (t.seq() != rcv_nxt) ++out_of_order;
    rcv_nxt = t.seq() + static_cast<std::uint32_t>(payload);
    if (w_.traffic == StackTraffic::kTcpDownload) write(ack(rcv_nxt));
    return h.is_gso() ? (payload + h.gso_size - 1) / h.gso_size : 1;
  }

  // The client's segments of the handshake and its ACKs.
  std::uint16_t window_field() const {
    const std::size_t max_payload = kTsoSegments * w_.segment_payload;  // the stack's super-packet
    return static_cast<std::uint16_t>(kDownloadWindowPackets * max_payload >> kClientShift);
  }
  Read syn() const {
    ClientSegment s;
    s.seq = kClientIsn;
    s.flags = kSyn;
    s.window = 65535;
    s.options = client_syn_options(stack_mss(flow_.version), kClientTs, kClientShift);
    s.full_checksum = w_.full_checksum;
    return client_tcp(flow_, s);
  }
  Read ack(std::uint32_t ack_number) {
    ClientSegment s;
    s.seq = kClientIsn + 1;
    s.ack = ack_number;
    s.flags = kAck;
    s.window = window_field();
    s.options = client_ts_option(kClientTs + ++acks_, stack_ts);
    s.full_checksum = w_.full_checksum;
    return client_tcp(flow_, s);
  }

 private:
  const StackWorkload& w_;
  stack::FlowKey flow_;
  std::deque<Read> pending_;
  std::size_t ready_ = 0;
  std::uint32_t acks_ = 0;
};

class CountingSink final : public stack::PacketSink {
 public:
  explicit CountingSink(Client& client) : client_(client) {}
  DeviceCounts counts;

  std::span<std::uint8_t> buffer() override { return buffer_; }
  bool send(std::size_t length, const vnet::VnetHeader& header) override {
    DeviceScope scope;
    ++counts.writes;
    ++counts.write_packets;
    if (header.is_gso()) ++counts.gso_writes;
    counts.bytes_out += length;
    counts.segments_out += client_.receive(header, std::span<const std::uint8_t>(buffer_).first(length));
    return true;
  }

 private:
  Client& client_;
  // As large as tunstack's TunSink buffer.
  std::vector<std::uint8_t> buffer_ = std::vector<std::uint8_t>(65536);
};

stack::TcpOptionsConfig tcp_config() {
  stack::TcpOptionsConfig c;  // tunstack's defaults at --mtu 1500
  c.mss_v4 = stack_mss(4);
  c.mss_v6 = stack_mss(6);
  c.isn_seed = 1;  // the same initial sequence numbers in every run
  return c;
}

// tunstack's engine and its loop over the fakes.
class StackUnderTest {
 public:
  explicit StackUnderTest(const StackWorkload& w)
      : w_(w),
        flow_(stack_flow(w.version, is_tcp(w) ? packet::kProtoTcp : packet::kProtoUdp)),
        client_(w, flow_),
        sockets_(server_),
        sink_(client_),
        tcp_(sockets_, sink_, counters_, tcp_config()),
        udp_(sockets_, sink_, counters_, {}),
        loop_(tcp_, udp_, counters_) {
    events_.reserve(4);
  }

  Server& server() { return server_; }
  const Server& server() const { return server_; }
  Client& client() { return client_; }
  const Client& client() const { return client_; }
  CountingSink& sink() { return sink_; }
  const stack::StackCounters& counters() const { return counters_; }
  const stack::FlowKey& flow() const { return flow_; }

  // One pass of tunstack's event loop (src/app/tunstack/main.cpp, run(), through stack::StackLoop
  // as tunstack runs it): the timers' deadline (what epoll_wait would wait), the TUN's packets (at
  // most kReadBudget), the sockets' events, the end of the wake-up. False when nothing was ready:
  // epoll_wait would sleep. (malloc_trim, when finish() asks for it, is the C library's: never due
  // with one flow.)
  bool wake_up(bool limit_reads) {
    deadline_ = loop_.next_deadline();
    const bool tun_ready = client_.arm(limit_reads) != 0;
    collect_events();
    if (!tun_ready && events_.empty()) return false;
    now_ += 1;
    if (tun_ready) {
      for (int k = 0; k < stack::StackLoop::kReadBudget; ++k) {
        vnet::VnetHeader header;
        std::size_t length = 0;
        if (!client_.read(read_buffer_, header, length)) break;
        loop_.on_packet(header, {read_buffer_.data(), length}, now_);
      }
    }
    for (const auto& [token, r] : events_) loop_.on_socket(token, r, now_);
    loop_.finish(now_);
    return true;
  }

 private:
  // The sockets' readiness at this wake-up (epoll's part).
  void collect_events() {
    DeviceScope scope;
    events_.clear();
    for (const auto& e : server_.next_events) events_.push_back(e);
    server_.next_events.clear();
    if (server_.runs_left != 0) {  // the server keeps sending: readable again
      server_.runs_now = w_.batch;
      events_.push_back({server_.datagram_token, {true, false, false}});
    }
  }

  const StackWorkload& w_;
  stack::FlowKey flow_;
  Server server_;
  Client client_;
  BenchSockets sockets_;
  CountingSink sink_;
  stack::StackCounters counters_;
  stack::TcpEngine tcp_;
  stack::UdpRelay udp_;
  stack::StackLoop loop_;
  std::vector<std::uint8_t> read_buffer_ = std::vector<std::uint8_t>(65536);
  std::vector<std::pair<std::uint64_t, stack::Readiness>> events_;
  std::uint64_t now_ = kStartMs;
  std::uint64_t deadline_ = 0;
};

// Runs wake-ups until the stack has nothing left to do; false when it never got there.
bool settle(StackUnderTest& s, bool limit_reads) {
  for (std::size_t i = 0; i < kMaxWakeUps; ++i)
    if (!s.wake_up(limit_reads)) return true;
  return false;
}

// The client's handshake (TCP) or its first datagram (UDP, which opens the flow). Empty when it
// went as planned, else why not.
std::string open_flow(StackUnderTest& s, const StackWorkload& w) {
  Client& c = s.client();
  if (!is_tcp(w)) {
    c.write(client_udp(s.flow(), w.segment_payload, 0, w.full_checksum));
    if (!settle(s, false) || !s.server().datagram_open) return "the first datagram opened no flow";
    return {};
  }
  c.write(c.syn());
  if (!settle(s, false) || !s.server().stream_open) return "the SYN opened no connection";
  s.server().next_events.push_back({s.server().stream_token, {false, true, false}});  // connected
  if (!settle(s, false) || !c.syn_ack) return "no SYN-ACK";
  c.write(c.ack(c.iss + 1));
  if (!settle(s, false) || s.counters().tcp_opened != 1) return "the handshake did not complete";
  return {};
}

// What went wrong in the data phase, or empty.
std::string check(const StackUnderTest& s, const StackWorkload& w, const stack::StackCounters& before) {
  const stack::StackCounters& after = s.counters();
  const Server& server = s.server();
  const Client& client = s.client();
  const std::uint64_t expected = w.payload_bytes();
  auto mismatch = [](const char* what, std::uint64_t got, std::uint64_t want) {
    return std::string(what) + " " + std::to_string(got) + " of " + std::to_string(want);
  };
  if (after.dropped() != before.dropped())
    return "the stack dropped " + std::to_string(after.dropped() - before.dropped());
  if (client.resets != 0) return "the stack reset the connection";
  if (client.malformed != 0) return "the stack wrote a packet the client cannot parse";
  switch (w.traffic) {
    case StackTraffic::kTcpUpload:
      if (server.accepted != expected) return mismatch("the socket took", server.accepted, expected);
      if (client.acked != kClientIsn + 1 + static_cast<std::uint32_t>(expected))
        return "the stack's last ACK is not the end of the client's data";
      break;
    case StackTraffic::kTcpDownload:
      if (client.received != expected) return mismatch("the client received", client.received, expected);
      if (server.consumed != expected) return mismatch("the socket consumed", server.consumed, expected);
      if (client.out_of_order != 0 || after.bytes_to_client - before.bytes_to_client != expected)
        return "the stack resent data";
      break;
    case StackTraffic::kUdpUpload:
      if (server.datagrams_sent != w.segments())
        return mismatch("the socket sent", server.datagrams_sent, w.segments());
      break;
    case StackTraffic::kUdpDownload:
      if (client.datagrams != w.segments()) return mismatch("the client received", client.datagrams, w.segments());
      break;
  }
  return {};
}

}  // namespace

RowResult run_stack_row(const StackWorkload& w, bool measured) {
  RowResult res;
  res.mode = kStackMode;
  res.workload = w.name;
  res.segments = w.segments();
  res.payload_bytes = w.payload_bytes();

  auto s = std::make_unique<StackUnderTest>(w);
  if (std::string error = open_flow(*s, w); !error.empty()) {
    res.ok = false;
    res.error = error;
    return res;
  }
  // The data phase's input: the client's packets, or the server's bytes.
  Server& server = s->server();
  Client& client = s->client();
  switch (w.traffic) {
    case StackTraffic::kTcpUpload:
      for (Read& r : tcp_upload(w, s->flow(), kClientIsn + 1, client.iss + 1, client.window_field(), kClientTs + 1,
                                client.stack_ts))
        client.write(std::move(r));
      break;
    case StackTraffic::kTcpDownload:
      server.bytes = w.payload_bytes();
      client.rcv_nxt = client.iss + 1;
      server.next_events.push_back({server.stream_token, {true, false, false}});
      break;
    case StackTraffic::kUdpUpload:
      for (Read& r : udp_upload(w, s->flow())) client.write(std::move(r));
      break;
    case StackTraffic::kUdpDownload:
      server.runs_left = w.packets;
      server.run_payload = w.per_packet * w.segment_payload;
      server.run_gso = w.per_packet > 1 ? static_cast<std::uint16_t>(w.segment_payload) : 0;
      break;
  }
  const stack::StackCounters before = s->counters();
  // Counted from here: the data phase alone.
  client.counts = {};
  s->sink().counts = {};
  server.calls = 0;
  server.accepted = 0;
  server.datagrams_sent = 0;
  const bool upload = w.traffic == StackTraffic::kTcpUpload || w.traffic == StackTraffic::kUdpUpload;

  const std::string label = res.mode + "/" + res.workload;
  start_counting_allocations();
  if (measured) begin_measurement();
  const bool settled = settle(*s, upload);
  if (measured) end_measurement(label);
  res.allocations = stop_counting_allocations();

  res.in = client.counts;
  res.out = s->sink().counts;
  res.socket_calls = server.calls;
  std::string error = settled ? check(*s, w, before) : "the stack never went idle";
  if (!error.empty()) {
    res.ok = false;
    res.error = std::move(error);
  }
  return res;
}

}  // namespace replay

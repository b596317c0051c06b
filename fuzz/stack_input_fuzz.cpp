// Fuzzes the userspace stack (src/stack): arbitrary bytes become a sequence of client packets
// through parse_inbound() into the TcpEngine and the UdpRelay over fake sockets
// (tests/support/fake_sockets.h), interleaved with socket events, "server" actions and timer
// advances. Every packet the stack writes is checked.
//
// Input: a sequence of records, each an opcode byte (op % 9) and its operands:
//   0  raw packet:            len(2) bytes(len)
//   1  raw packet with vnet:  vnet header(10) len(2) bytes(len)
//   2  raw packet, checksums made valid (IPv4 header, TCP/UDP): len(2) bytes(len)
//   3  TCP segment of one of 16 client flows, numbered relative to the last segment the stack
//      sent on it (so handshakes and data can complete whatever our ISS is):
//      flow(1) flags(1) dseq(1, signed) dack(1, signed) window(2) payload(1) options(1) [...]
//   4  UDP datagram of one of the flows: flow(1) len(2) gso_size(2, 0 = one datagram)
//   5  time advances: ms(2), then the timers run
//   6  TCP socket (server side): which(1) action(1) arg(1)
//   7  UDP socket (server side): which(1) len(2) gso_size(2)
//   8  the TUN starts / stops refusing writes
// Multi-byte operands are big-endian; a record cut short by the end of the input is dropped.
//
// Invariants (FUZZ_CHECK): every packet the stack writes is within 65535 bytes, has a valid
// vnet header, parses as IPv4/IPv6 (strict lengths) with a TCP header (data offset, options) or
// a UDP header (length) that fits, a checksum that is either complete and verifies or partial
// (NEEDS_CSUM at the L4 header with the pseudo-header sum), and GSO fields that match it;
// packets_in equals the packets fed, packets_out the packets the TUN took; the tables stay
// within their bounds; no timer is left due after the timers ran; a connection the engine no
// longer knows has its socket closed. ASan/UBSan watch the rest. STACK_FUZZ_VERBOSE=1 prints the
// stack's counters for each input run.
#include <algorithm>
#include <array>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

#include "fuzz_check.h"
#include "packet/bytes.h"
#include "packet/checksum.h"
#include "packet/encode.h"
#include "packet/ip_packet.h"
#include "packet/ipv4_header.h"
#include "packet/tcp_header.h"
#include "packet/udp_header.h"
#include "stack/counters.h"
#include "stack/inbound.h"
#include "stack/packet_sink.h"
#include "stack/seq.h"
#include "stack/tcp_engine.h"
#include "stack/tcp_options.h"
#include "stack/udp_relay.h"
#include "support/client_flow.h"
#include "support/fake_sockets.h"
#include "support/syn_options.h"
#include "vnet/vnet_header.h"

namespace {

using Bytes = std::vector<std::uint8_t>;
constexpr std::size_t kMaxPacket = 65535;
constexpr std::size_t kMaxOps = 2048;

// The byte the client sends at sequence number `seq`: data reaching the server can be checked
// against where it came from.
std::uint8_t client_byte(std::uint32_t seq) { return static_cast<std::uint8_t>((seq * 131u) ^ (seq >> 9)); }
// The byte the server sends at offset `o` of its stream: what the stack writes to the client is
// checked against it without keeping a copy of the stream.
std::uint8_t server_byte(std::size_t o) { return static_cast<std::uint8_t>(o * 7 + o / 251); }

// Both streams are periodic (server: 251 × 256 bytes, the period of o * 7 and o / 251 mod 256;
// client: 2^17, that of seq >> 9), so one period, computed once, fills and checks a payload with
// memcpy and memcmp. Byte by byte, with a traced compare per byte, that took half of an input's
// time.
class Pattern {
 public:
  template <typename Byte>
  Pattern(std::size_t period, Byte byte) : period_(period), bytes_(period) {
    for (std::size_t i = 0; i < period; ++i) bytes_[i] = byte(i);
  }
  // Calls f(chunk of `out`, the same length of the stream from `offset` on) until `out` is covered.
  template <typename Span, typename F>
  void walk(Span out, std::size_t offset, F f) const {
    for (std::size_t done = 0, at = offset % period_; done < out.size(); at = 0) {
      const std::size_t n = std::min(out.size() - done, period_ - at);
      f(out.subspan(done, n), bytes_.data() + at);
      done += n;
    }
  }
  void fill(std::span<std::uint8_t> out, std::size_t offset) const {
    walk(out, offset, [](std::span<std::uint8_t> c, const std::uint8_t* p) { std::memcpy(c.data(), p, c.size()); });
  }
  bool matches(std::span<const std::uint8_t> in, std::size_t offset) const {
    bool same = true;
    walk(in, offset, [&](std::span<const std::uint8_t> c, const std::uint8_t* p) {
      same = same && std::memcmp(c.data(), p, c.size()) == 0;
    });
    return same;
  }

 private:
  std::size_t period_;
  std::vector<std::uint8_t> bytes_;
};

const Pattern& server_stream() {
  static const Pattern p(251 * 256, [](std::size_t o) { return server_byte(o); });
  return p;
}
const Pattern& client_stream() {
  static const Pattern p(std::size_t{1} << 17,
                         [](std::size_t i) { return client_byte(static_cast<std::uint32_t>(i)); });
  return p;
}

class Reader {
 public:
  Reader(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  bool empty() const { return pos_ >= size_; }
  bool has(std::size_t n) const { return size_ - pos_ >= n; }
  std::uint8_t u8() { return has(1) ? data_[pos_++] : 0; }
  std::uint16_t u16() {
    const std::uint16_t hi = u8();
    return static_cast<std::uint16_t>(hi << 8 | u8());
  }
  std::span<const std::uint8_t> take(std::size_t n) {
    n = std::min(n, size_ - pos_);
    const std::span<const std::uint8_t> s(data_ + pos_, n);
    pos_ += n;
    return s;
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

// Makes the IPv4 header checksum and the TCP/UDP checksum of arbitrary bytes valid, where the
// headers they sit in fit the bytes (so the fuzzer gets past the checksum checks cheaply).
void fix_checksums(Bytes& b) {
  if (b.size() >= packet::Ipv4Header::kMinSize && (b[0] >> 4) == 4) {
    const std::size_t ihl = std::size_t{b[0] & 0x0Fu} * 4;
    if (ihl >= packet::Ipv4Header::kMinSize && ihl <= b.size())
      packet::Ipv4Header(std::span<std::uint8_t>(b).first(ihl)).update_checksum();
  }
  const auto ip = packet::parse_ip(b);
  if (!ip.ok) return;
  const auto& l = ip.layers;
  const bool tcp = l.l4_protocol == packet::kProtoTcp;
  if (!tcp && l.l4_protocol != packet::kProtoUdp) return;
  const std::size_t field =
      l.l4_offset + (tcp ? packet::TcpHeader::kChecksumOffset : packet::UdpHeader::kChecksumOffset);
  if (field + 2 > b.size()) return;
  packet::store_be16(b.data() + field, 0);
  const auto l4 = std::span<const std::uint8_t>(b).subspan(l.l4_offset);
  std::uint16_t c =
      packet::finish(packet::sum_bytes(l4, packet::pseudo_header_sum(l, static_cast<std::uint32_t>(l4.size()))));
  if (!tcp && c == 0) c = 0xFFFF;
  packet::store_be16(b.data() + field, c);
}

// The last TCP segment the stack sent on a flow, for the next client segment to answer.
struct LastSent {
  std::uint32_t seq = 0, ack = 0;
  std::uint8_t flags = 0;
  std::size_t length = 0;
  std::optional<std::uint32_t> ts_val;
};

// A TCP segment the stack wrote, for the harness to hold against what the server sent.
struct SegmentOut {
  stack::FlowKey flow;  // as the client sees it
  std::uint32_t seq = 0, ack = 0;
  std::uint8_t flags = 0;
  std::span<const std::uint8_t> payload;
};

// The TUN: checks every packet the stack writes.
class CheckingSink final : public stack::PacketSink {
 public:
  bool refuse = false;
  std::uint64_t accepted = 0;
  std::unordered_map<stack::FlowKey, LastSent, stack::FlowKeyHash> last;
  std::function<void(const SegmentOut&)> on_tcp;  // every well-formed TCP segment written

  std::span<std::uint8_t> buffer() override { return buffer_; }
  bool send(std::size_t length, const vnet::VnetHeader& header) override {
    FUZZ_CHECK(length <= kMaxPacket);
    check(header, std::span<const std::uint8_t>(buffer_.data(), length));
    if (refuse) return false;
    ++accepted;
    return true;
  }

 private:
  void check(const vnet::VnetHeader& h, std::span<const std::uint8_t> p) {
    FUZZ_CHECK(!vnet::validate(h, p.size()).has_value());
    const auto ip = packet::parse_ip(p);
    FUZZ_CHECK(ip.ok);
    const auto& l = ip.layers;
    FUZZ_CHECK(!l.ipv6_has_ext);
    const bool tcp = l.l4_protocol == packet::kProtoTcp;
    FUZZ_CHECK(tcp || l.l4_protocol == packet::kProtoUdp);
    const auto l4 = p.subspan(l.l4_offset);
    std::size_t l4_header = 0;
    if (tcp) {
      FUZZ_CHECK(packet::ConstTcpHeader::fits(l4));
      const packet::ConstTcpHeader t(l4);
      l4_header = t.header_length();
      FUZZ_CHECK(l4_header >= packet::ConstTcpHeader::kMinSize && l4_header <= l4.size());
      stack::TcpOptions o;
      FUZZ_CHECK(stack::parse_tcp_options(t.options(), o));
      const std::uint8_t flags = t.flags();
      FUZZ_CHECK(!((flags & packet::TcpHeader::kSyn) && (flags & packet::TcpHeader::kFin)));
      FUZZ_CHECK(!((flags & packet::TcpHeader::kRst) && l4.size() != l4_header));  // a RST carries no data
      const SegmentOut seg = remember(l, t, o, l4.subspan(l4_header));
      if (on_tcp) on_tcp(seg);
    } else {
      FUZZ_CHECK(packet::ConstUdpHeader::fits(l4));
      l4_header = packet::ConstUdpHeader::kSize;
      FUZZ_CHECK(packet::ConstUdpHeader(l4).length() == l4.size());
    }
    const auto l4_length = static_cast<std::uint32_t>(l4.size());
    const std::size_t field = tcp ? packet::TcpHeader::kChecksumOffset : packet::UdpHeader::kChecksumOffset;
    if (h.needs_csum()) {
      // Partial: the kernel finishes it from csum_start, which must be the L4 header.
      FUZZ_CHECK(h.csum_start == l.l4_offset);
      FUZZ_CHECK(h.csum_offset == field);
      FUZZ_CHECK(packet::load_be16(l4.data() + field) == packet::fold(packet::pseudo_header_sum(l, l4_length)));
    } else {
      FUZZ_CHECK(packet::load_be16(l4.data() + field) != 0 || tcp);
      FUZZ_CHECK(packet::sum_verifies(packet::sum_bytes(l4, packet::pseudo_header_sum(l, l4_length))));
    }
    if (h.is_gso()) {
      const std::uint8_t want = tcp ? (l.version == 4 ? vnet::kGsoTcpV4 : vnet::kGsoTcpV6) : vnet::kGsoUdpL4;
      FUZZ_CHECK(h.base_gso_type() == want);
      FUZZ_CHECK(h.hdr_len == l.l4_offset + l4_header);
      FUZZ_CHECK(l4.size() - l4_header > h.gso_size);  // a super-packet has two segments at least
    }
  }

  SegmentOut remember(const packet::IpLayers& l, const packet::ConstTcpHeader& t, const stack::TcpOptions& o,
                      std::span<const std::uint8_t> payload) {
    stack::FlowKey k;
    k.version = l.version;
    k.protocol = packet::kProtoTcp;
    std::copy(l.dst.begin(), l.dst.end(), k.client.begin());
    std::copy(l.src.begin(), l.src.end(), k.server.begin());
    k.client_port = t.dst_port();
    k.server_port = t.src_port();
    LastSent& s = last[k];
    s.seq = t.seq();
    s.ack = t.ack();
    s.flags = t.flags();
    s.length = payload.size();
    if (o.ts_val) s.ts_val = o.ts_val;
    return {k, s.seq, s.ack, s.flags, payload};
  }

  // On the heap, exactly 65536 bytes: ASan sees a write past it (std::array inside the object
  // would let it run into the next member unnoticed).
  std::vector<std::uint8_t> buffer_ = std::vector<std::uint8_t>(65536);
};

using tbtest::ClientFlow;

// The client's flows: 12 IPv4 (3 addresses, 2 servers), 4 IPv6.
constexpr std::size_t kFlows = 16;

std::array<ClientFlow, kFlows> make_flows() {
  std::array<ClientFlow, kFlows> flows{};
  for (std::size_t i = 0; i < kFlows; ++i) {
    ClientFlow& f = flows[i];
    if (i < 12) {
      f.version = 4;
      f.client = {10, 0, 1, static_cast<std::uint8_t>(1 + i % 3)};
      f.server = {10, 0, 2, 1};
    } else {
      f.version = 6;
      f.client = {0xfd, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, static_cast<std::uint8_t>(i)};
      f.server = {0xfd, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    }
    f.client_port = static_cast<std::uint16_t>(40000 + i);
    f.server_port = static_cast<std::uint16_t>(5201 + i % 2);
  }
  return flows;
}

stack::TcpOptionsConfig tcp_config() {
  stack::TcpOptionsConfig c;
  c.max_connections = 8;
  c.isn_seed = 12345;  // reproducible runs
  c.connect_timeout_ms = 3000;
  c.linger_ms = 500;
  c.syn_ack_retries = 2;
  c.max_retries = 4;
  c.max_rto_ms = 8000;
  return c;
}

stack::UdpConfig udp_config() {
  stack::UdpConfig c;
  c.max_flows = 6;
  c.idle_ms = 5000;
  return c;
}

class Harness {
 public:
  Harness() : tcp_(sockets_, sink_, counters_, tcp_config()), udp_(sockets_, sink_, counters_, udp_config()) {
    sink_.on_tcp = [this](const SegmentOut& s) { observe(s); };
  }

  void run(Reader& r) {
    for (std::size_t ops = 0; ops < kMaxOps && !r.empty(); ++ops) {
      switch (r.u8() % 10) {
        case 0: raw(r, {}, false); break;
        case 1: {
          if (!r.has(vnet::kHeaderSize)) return;
          const auto h = r.take(vnet::kHeaderSize);
          raw(r, vnet::decode(std::span<const std::uint8_t, vnet::kHeaderSize>(h.data(), vnet::kHeaderSize)), false);
          break;
        }
        case 2: raw(r, {}, true); break;
        case 3: tcp_segment(r); break;
        case 4: udp_datagram(r); break;
        case 5: advance(r.u16()); break;
        case 6: tcp_socket(r); break;
        case 7: udp_socket(r); break;
        case 8: sink_.refuse = !sink_.refuse; break;
        case 9:  // packets from here to the next toggle are one batch read from the TUN
          if (batching_) end_batch();
          batching_ = !batching_;
          break;
      }
      check();
    }
  }

  void finish() {
    // STACK_FUZZ_VERBOSE=1 says what an input did (replaying a corpus file or a crash).
    if (std::getenv("STACK_FUZZ_VERBOSE")) std::fputs(counters_.format().c_str(), stderr);
    sink_.refuse = false;
    advance(udp_config().idle_ms);
    FUZZ_CHECK(udp_.flows() == 0);  // every flow idles out
    // The engine's connections are exactly the live tokens; every other socket is closed.
    std::size_t live = 0;
    for (const auto& [token, record] : sockets_.records) {
      if (token & stack::kUdpTokenBit) {
        FUZZ_CHECK(record.closed);
      } else if (tcp_.knows(token)) {
        ++live;
      } else {
        FUZZ_CHECK(record.closed);
      }
    }
    FUZZ_CHECK(live == tcp_.connections());
  }

 private:
  // What the harness knows of one TCP connection (by the token of its socket).
  struct Conn {
    std::uint32_t irs = 0;             // the client's ISN (its SYN's sequence number)
    bool raw_data = false;             // payload came in a raw packet: not client_byte()s
    std::optional<std::uint32_t> iss;  // ours, from the SYN-ACK
    std::size_t sent = 0;              // bytes the server sent: server_byte(0 … sent − 1)
    bool server_closed = false;
    std::optional<std::uint32_t> last_ack;
    std::size_t received_checked = 0;
  };

  // Holds a segment the stack wrote against its connection: our ISS never changes, ACKs never
  // go back, data is the server's bytes at their sequence numbers, the FIN follows all of them.
  void observe(const SegmentOut& s) {
    const auto t = token_of_.find(s.flow);
    // A RST for a segment of no connection (or for a SYN the full table refused).
    if (t == token_of_.end() || !tcp_.knows(t->second)) return;
    Conn& c = conns_[t->second];
    if (s.flags & packet::TcpHeader::kSyn) {
      FUZZ_CHECK(!c.iss || *c.iss == s.seq);
      c.iss = s.seq;
    }
    if (s.flags & packet::TcpHeader::kAckFlag) {
      FUZZ_CHECK(!c.last_ack || stack::seq_ge(s.ack, *c.last_ack));
      c.last_ack = s.ack;
    }
    if (s.flags & (packet::TcpHeader::kRst | packet::TcpHeader::kSyn)) return;
    if (!s.payload.empty()) {
      FUZZ_CHECK(c.iss.has_value());
      const std::uint32_t offset = s.seq - (*c.iss + 1);
      FUZZ_CHECK(offset <= c.sent && s.payload.size() <= c.sent - offset);
      FUZZ_CHECK(server_stream().matches(s.payload, offset));
    }
    if (s.flags & packet::TcpHeader::kFin) {
      FUZZ_CHECK(c.server_closed && c.iss.has_value());
      FUZZ_CHECK(s.payload.empty() && s.seq == *c.iss + 1 + static_cast<std::uint32_t>(c.sent));
    }
  }

  // The bytes the "server" received are the client's, in order, from its ISN on. Checked bytes
  // are dropped: kept, a connection's megabytes were copied again at every growth of the vector,
  // into fresh pages under ASan's quarantine (most of an input's time went to page faults).
  void check_received() {
    for (auto& [token, c] : conns_) {
      if (c.raw_data || sockets_.records[token].closed) continue;
      Bytes& got = sockets_.streams.at(token)->received;
      FUZZ_CHECK(client_stream().matches(got, c.irs + 1 + static_cast<std::uint32_t>(c.received_checked)));
      c.received_checked += got.size();
      got.clear();
    }
  }

  void feed(const vnet::VnetHeader& h, std::span<const std::uint8_t> bytes, bool raw = true) {
    ++fed_;
    ++counters_.packets_in;
    stack::Inbound in;
    if (const auto drop = stack::parse_inbound(h, bytes, in)) {
      counters_.drop(*drop);
    } else if (in.flow.protocol == packet::kProtoTcp) {
      FUZZ_CHECK(in.payload.data() >= bytes.data() &&
                 in.payload.data() + in.payload.size() <= bytes.data() + bytes.size());
      const std::uint64_t before = sockets_.last_stream;
      tcp_.on_segment(in, now_);
      if (sockets_.last_stream != before) {  // a SYN opened a connection
        conns_[sockets_.last_stream].irs = in.seq;
        token_of_[in.flow] = sockets_.last_stream;
      }
      if (raw && !in.payload.empty())
        if (const auto t = token_of_.find(in.flow); t != token_of_.end()) conns_[t->second].raw_data = true;
    } else {
      FUZZ_CHECK(in.flow.protocol == packet::kProtoUdp);
      udp_.on_datagram(in, now_);
    }
    if (!batching_) end_batch();
  }

  // What the event loop does after a batch of packets (StackLoop::finish()): UDP trains out, then ACKs.
  void end_batch() {
    udp_.flush();
    tcp_.flush(now_);
  }

  void raw(Reader& r, const vnet::VnetHeader& h, bool fix) {
    const std::size_t len = r.u16();
    const auto bytes = r.take(len);
    if (!fix) {
      feed(h, bytes);
      return;
    }
    Bytes b(bytes.begin(), bytes.end());
    fix_checksums(b);
    feed(h, b);
  }

  void tcp_segment(Reader& r) {
    const ClientFlow& f = flows_[r.u8() % kFlows];
    const std::uint8_t flags = r.u8();
    const auto dseq = static_cast<std::int8_t>(r.u8());
    const auto dack = static_cast<std::int8_t>(r.u8());
    const std::uint16_t window = r.u16();
    const std::uint8_t size_code = r.u8();
    const std::uint8_t option_code = r.u8();
    const auto it = sink_.last.find(f.key(packet::kProtoTcp));
    std::uint32_t seq = 1000u * f.client_port, ack = 0;
    std::optional<std::uint32_t> echo;
    if (it != sink_.last.end()) {
      const LastSent& s = it->second;
      seq = s.ack;
      ack = s.seq + static_cast<std::uint32_t>(s.length) + ((s.flags & packet::TcpHeader::kSyn) ? 1 : 0) +
            ((s.flags & packet::TcpHeader::kFin) ? 1 : 0);
      echo = s.ts_val;
    }
    Bytes options;
    switch (option_code & 3) {
      case 0: break;
      case 1: {  // timestamps: our clock, echoing the stack's
        options.resize(stack::kTimestampOptionSize);
        stack::write_timestamps(static_cast<std::uint32_t>(now_), echo.value_or(0),
                                std::span<std::uint8_t, stack::kTimestampOptionSize>(options.data(), options.size()));
        break;
      }
      case 2: {  // SYN options as Linux sends them, MSS and window scale from the input
        const std::uint16_t mss = r.u16();
        const std::uint8_t wscale = r.u8();
        const auto ts = static_cast<std::uint32_t>(now_);
        options = tbtest::linux_syn_options(mss, wscale, ts);
        break;
      }
      case 3: {  // raw option bytes
        const auto raw_options = r.take(std::size_t{(option_code >> 2) % 11u} * 4);
        options.assign(raw_options.begin(), raw_options.end());
        options.resize((options.size() + 3) / 4 * 4, stack::kOptEnd);
        break;
      }
    }
    // Small payloads byte by byte, large ones in steps of 1200 up to a whole super-packet.
    std::size_t payload = size_code <= 200 ? size_code : std::size_t{size_code - 200u} * 1200;
    const std::size_t headers = packet::tcp_headers_size(f.version, options.size());
    payload = std::min(payload, kMaxPacket - headers);
    packet::IpFields ip;
    ip.version = f.version;
    ip.src = f.client;
    ip.dst = f.server;
    packet::TcpFields t;
    t.src_port = f.client_port;
    t.dst_port = f.server_port;
    t.seq = seq + static_cast<std::uint32_t>(static_cast<std::int32_t>(dseq));
    t.ack = ack + static_cast<std::uint32_t>(static_cast<std::int32_t>(dack));
    t.flags = flags;
    t.window = window;
    t.options = options;
    Bytes b(headers + payload);
    client_stream().fill(std::span(b).subspan(headers), t.seq);
    const std::size_t len = packet::encode_tcp(b, ip, t, payload, packet::L4Checksum::kFull);
    FUZZ_CHECK(len == b.size());
    feed({}, b, false);
  }

  void udp_datagram(Reader& r) {
    const ClientFlow& f = flows_[r.u8() % kFlows];
    const std::size_t headers = packet::udp_headers_size(f.version);
    const std::size_t payload = std::min<std::size_t>(r.u16(), kMaxPacket - headers);
    const std::uint16_t gso_size = r.u16();
    Bytes b(headers + payload, 0xA5);
    packet::IpFields ip;
    ip.version = f.version;
    ip.src = f.client;
    ip.dst = f.server;
    const packet::UdpFields u{f.client_port, f.server_port};
    const bool uso = gso_size != 0;
    const std::size_t len =
        packet::encode_udp(b, ip, u, payload, uso ? packet::L4Checksum::kPartial : packet::L4Checksum::kFull);
    FUZZ_CHECK(len == b.size());
    vnet::VnetHeader h;
    if (uso) {  // as a TUN read delivers a USO super-packet
      h.flags = vnet::kFlagNeedsCsum;
      h.gso_type = vnet::kGsoUdpL4;
      h.gso_size = gso_size;
      h.hdr_len = static_cast<std::uint16_t>(headers);
      h.csum_start = static_cast<std::uint16_t>(packet::ip_header_size(f.version));
      h.csum_offset = static_cast<std::uint16_t>(packet::UdpHeader::kChecksumOffset);
    }
    feed(h, b);
  }

  void advance(std::uint64_t ms) {
    udp_.flush();  // a batch ends before the timers run, as in StackLoop::finish()
    now_ += ms;
    tcp_.on_timer(now_);
    udp_.on_timer(now_);
    tcp_.flush(now_);
    const std::uint64_t tcp_next = tcp_.next_deadline(), udp_next = udp_.next_deadline();
    FUZZ_CHECK(tcp_next == 0 || tcp_next > now_);  // nothing due is left behind
    FUZZ_CHECK(udp_next == 0 || udp_next > now_);
  }

  void event(std::uint64_t token, stack::Readiness ready) {
    udp_.flush();  // socket events come after the batch of packets, in the event loop
    if (token & stack::kUdpTokenBit)
      udp_.on_socket(token, ready, now_);
    else
      tcp_.on_socket(token, ready, now_);
    tcp_.flush(now_);
  }

  void tcp_socket(Reader& r) {
    const std::uint8_t which = r.u8(), action = r.u8(), arg = r.u8();
    std::vector<std::uint64_t> live;
    for (const auto& [token, socket] : sockets_.streams)
      if (tcp_.knows(token) && !sockets_.records[token].closed) live.push_back(token);
    if (live.empty()) return;
    const std::uint64_t token = live[which % live.size()];
    tbtest::FakeStreamSocket& s = *sockets_.streams.at(token);
    const stack::Readiness readable{true, false, false}, writable{false, true, false};
    switch (action % 8) {
      case 0: event(token, {(arg & 1) != 0, (arg & 2) != 0, (arg & 4) != 0}); break;
      case 1: {
        Conn& c = conns_[token];
        if (!c.server_closed) {  // nothing follows the server's FIN
          more_.resize(std::size_t{arg} * 97 + 1);
          server_stream().fill(more_, c.sent);
          c.sent += more_.size();
          s.server_sends(more_);
        }
        event(token, readable);
        break;
      }
      case 2:
        conns_[token].server_closed = true;
        s.server_closes();
        event(token, readable);
        break;
      case 3:
        s.server_reads(std::size_t{arg} * 97);
        if (arg & 1) event(token, writable);
        break;
      case 4:
        s.error = (arg & 1) ? ECONNRESET : EPIPE;
        event(token, {true, false, true});
        break;
      case 5: s.capacity = std::size_t{arg} * 64; break;
      case 6: {
        static constexpr int kErrors[] = {0, ECONNREFUSED, EHOSTUNREACH, ENETUNREACH};
        s.connect_result = kErrors[arg % 4];
        event(token, writable);
        break;
      }
      case 7: event(token, writable); break;
    }
  }

  void udp_socket(Reader& r) {
    const std::uint8_t which = r.u8();
    const std::uint16_t len = r.u16(), gso_size = r.u16();
    std::vector<std::uint64_t> live;
    for (const auto& [token, socket] : sockets_.datagrams)
      if (!sockets_.records[token].closed) live.push_back(token);
    if (live.empty()) return;
    const std::uint64_t token = live[which % live.size()];
    tbtest::FakeDatagramSocket& s = *sockets_.datagrams.at(token);
    if (which & 0x80) {
      if (len & 2)
        s.gso_send_error = EINVAL;  // the path refuses UDP_SEGMENT: trains go one by one
      else
        s.send_error = (len & 1) ? ENOBUFS : ECONNREFUSED;
      return;
    }
    s.server_replies(Bytes(len, static_cast<std::uint8_t>(gso_size)), gso_size);
    event(token, {true, false, false});
  }

  void check() {
    check_received();
    FUZZ_CHECK(counters_.packets_in == fed_);
    FUZZ_CHECK(counters_.packets_out == sink_.accepted);
    FUZZ_CHECK(tcp_.connections() <= tcp_config().max_connections);
    FUZZ_CHECK(udp_.flows() <= udp_config().max_flows);
  }

  // Destroyed in reverse: the engines (and their sockets) before the factory the sockets report to.
  tbtest::FakeSocketFactory sockets_;
  CheckingSink sink_;
  stack::StackCounters counters_;
  bool batching_ = false;  // feed() leaves the end of the batch to the next op 9
  stack::TcpEngine tcp_;
  stack::UdpRelay udp_;
  const std::array<ClientFlow, kFlows> flows_ = make_flows();
  std::map<std::uint64_t, Conn> conns_;
  std::unordered_map<stack::FlowKey, std::uint64_t, stack::FlowKeyHash> token_of_;
  Bytes more_;  // what the server sends next: one buffer for every send of an input
  std::uint64_t now_ = 1000;
  std::uint64_t fed_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Reader r(data, size);
  Harness h;
  h.run(r);
  h.finish();
  return 0;
}

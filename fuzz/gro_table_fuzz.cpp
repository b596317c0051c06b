// GroTable under libFuzzer. The input describes a batch; each record either is raw bytes or
// derives the next segment of an earlier packet, and may get its lengths and checksums fixed,
// so that merges are common rather than blocked by checksums the fuzzer cannot guess.
//
//   byte 0: options  bit0 TCP off, bit1 UDP off, bits2-7: max_udp_segments
//   record: op(1) ...
//     op & 3 == 0: raw     len(2, LE, mod 2048) bytes(len)
//     op & 3 == 1: next    src(1) payload_len(2, LE)   segment after input[src % n]
//     op & 3 == 2: copy    src(1)                      duplicate of input[src % n]
//     op & 3 == 3: mutate  src(1) offset(2) xor(1)     input[src % n] with one byte flipped
//     op & 4: fix lengths, op & 8: fix checksums (after the op)
//
// Checked: unmerged outputs are inputs untouched with an all-zero header; merged outputs
// parse, pass vnet::validate, carry the folded pseudo-header sum, respect 65535 bytes and the
// UDP cap, and split back into inputs; together the outputs give back every input exactly once.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <vector>

#include "offload/gro_table.h"
#include "offload/gso_split.h"
#include "packet/checksum.h"
#include "packet/ip_packet.h"
#include "packet/ipv4_header.h"
#include "packet/ipv6_header.h"
#include "packet/tcp_header.h"
#include "packet/udp_header.h"

namespace {

using Bytes = std::vector<std::uint8_t>;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "gro_table_fuzz: invariant violated: %s\n", what);
  std::abort();
}
void check(bool ok, const char* what) {
  if (!ok) fail(what);
}

struct Reader {
  std::span<const std::uint8_t> in;
  bool empty() const { return in.empty(); }
  std::uint8_t u8() {
    if (in.empty()) return 0;
    std::uint8_t v = in[0];
    in = in.subspan(1);
    return v;
  }
  std::uint16_t u16() { return static_cast<std::uint16_t>(u8() | (u8() << 8)); }
  Bytes take(std::size_t n) {
    n = std::min(n, in.size());
    Bytes b(in.begin(), in.begin() + static_cast<std::ptrdiff_t>(n));
    in = in.subspan(n);
    return b;
  }
};

// L4 offset and protocol when the packet looks like IPv4/IPv6 + TCP/UDP, regardless of lengths.
struct Shape {
  bool ok = false;
  int version = 0;
  std::size_t l4 = 0;
  std::uint8_t proto = 0;
};
Shape shape(const Bytes& b) {
  Shape s;
  if (b.empty()) return s;
  s.version = b[0] >> 4;
  if (s.version == 4 && packet::ConstIpv4Header::fits(b)) {
    packet::ConstIpv4Header ip(b);
    s.l4 = ip.header_length();
    s.proto = ip.protocol();
  } else if (s.version == 6 && packet::ConstIpv6Header::fits(b)) {
    s.l4 = packet::ConstIpv6Header::kSize;
    s.proto = packet::ConstIpv6Header(b).next_header();
  } else {
    return s;
  }
  const std::size_t min = s.proto == packet::kProtoTcp ? packet::TcpHeader::kMinSize : packet::UdpHeader::kSize;
  s.ok = (s.proto == packet::kProtoTcp || s.proto == packet::kProtoUdp) && s.l4 >= 20 && s.l4 + min <= b.size();
  return s;
}

void fix_lengths(Bytes& b) {
  const Shape s = shape(b);
  if (!s.ok || b.size() > 65535) return;
  if (s.version == 4) {
    packet::Ipv4Header(std::span(b)).set_total_length(static_cast<std::uint16_t>(b.size()));
  } else if (b.size() - 40 <= 0xFFFF) {
    packet::Ipv6Header(std::span(b)).set_payload_length(static_cast<std::uint16_t>(b.size() - 40));
  }
  if (s.proto == packet::kProtoUdp)
    packet::UdpHeader(std::span(b).subspan(s.l4)).set_length(static_cast<std::uint16_t>(b.size() - s.l4));
}

void fix_checksums(Bytes& b) {
  const Shape s = shape(b);
  if (!s.ok) return;
  if (s.version == 4) packet::Ipv4Header(std::span(b)).update_checksum();
  auto parsed = packet::parse_ip(b);
  if (!parsed.ok || parsed.layers.l4_offset != s.l4) return;
  auto l4 = std::span(b).subspan(s.l4);
  const auto len = static_cast<std::uint32_t>(l4.size());
  if (s.proto == packet::kProtoTcp) {
    packet::TcpHeader t(l4);
    t.set_checksum(0);
    t.set_checksum(packet::finish(packet::sum_bytes(l4, packet::pseudo_header_sum(parsed.layers, len))));
  } else {
    packet::UdpHeader u(l4);
    u.set_checksum(0);
    const std::uint16_t c = packet::finish(packet::sum_bytes(l4, packet::pseudo_header_sum(parsed.layers, len)));
    u.set_checksum(c == 0 ? 0xFFFF : c);
  }
}

// The harness's own byte loops need no coverage feedback (the library's code gives it); their
// per-byte comparison callbacks took a third of the time.
#define HARNESS_ONLY __attribute__((no_sanitize("coverage")))

// The segment a sender would put after `prev`: sequence advanced by prev's payload, IPv4 ID
// plus one, payload resized (its bytes derived from the previous ones).
HARNESS_ONLY Bytes next_segment(const Bytes& prev, std::size_t payload_len) {
  const Shape s = shape(prev);
  if (!s.ok) return prev;
  std::size_t hdr = s.l4 + packet::UdpHeader::kSize;
  if (s.proto == packet::kProtoTcp) {
    hdr = s.l4 + packet::ConstTcpHeader(std::span(prev).subspan(s.l4)).header_length();
    if (hdr > prev.size() || hdr < s.l4 + packet::TcpHeader::kMinSize) return prev;
  }
  Bytes b(hdr + payload_len);
  std::copy_n(prev.begin(), hdr, b.begin());
  for (std::size_t i = 0; i < payload_len; ++i)
    b[hdr + i] = static_cast<std::uint8_t>(hdr + i < prev.size() ? prev[hdr + i] * 7 + 1 : i);
  if (s.version == 4) {
    packet::Ipv4Header ip{std::span(b)};
    ip.set_id(static_cast<std::uint16_t>(ip.id() + 1));
  }
  if (s.proto == packet::kProtoTcp) {
    packet::TcpHeader t(std::span(b).subspan(s.l4));
    t.set_seq(t.seq() + static_cast<std::uint32_t>(prev.size() - hdr));
  }
  fix_lengths(b);
  fix_checksums(b);
  return b;
}

std::vector<Bytes> decode(Reader& r) {
  std::vector<Bytes> batch;
  while (!r.empty() && batch.size() < 256) {
    const std::uint8_t op = r.u8();
    Bytes b;
    switch (op & 3) {
      case 0: b = r.take(r.u16() % 2048); break;
      case 1: {
        const std::uint8_t src = r.u8();
        const std::size_t len = r.u16() % 1600;
        if (batch.empty()) continue;
        b = next_segment(batch[src % batch.size()], len);
        break;
      }
      case 2: {
        const std::uint8_t src = r.u8();
        if (batch.empty()) continue;
        b = batch[src % batch.size()];
        break;
      }
      case 3: {
        const std::uint8_t src = r.u8();
        const std::uint16_t off = r.u16();
        const std::uint8_t x = r.u8();
        if (batch.empty()) continue;
        b = batch[src % batch.size()];
        if (!b.empty()) b[off % b.size()] ^= x;
        break;
      }
    }
    if (op & 4) fix_lengths(b);
    if (op & 8) fix_checksums(b);
    batch.push_back(std::move(b));
  }
  return batch;
}

void check_merged(const offload::GroOutput& o, const offload::GroOptions& opt, std::vector<Bytes>& got) {
  check(o.merged >= 2, "merged output claims fewer than 2 packets");
  check(o.bytes.size() <= 65535, "merged packet longer than 65535");
  check(!vnet::validate(o.header, o.bytes.size()), "merged header fails vnet::validate");
  auto parsed = packet::parse_ip(o.bytes);
  check(parsed.ok, "merged packet does not parse");
  const auto& l = parsed.layers;
  check(o.header.csum_start == l.l4_offset, "csum_start is not the L4 offset");
  const bool tcp = l.l4_protocol == packet::kProtoTcp;
  check(o.header.gso_type == (tcp ? (l.version == 4 ? vnet::kGsoTcpV4 : vnet::kGsoTcpV6) : vnet::kGsoUdpL4),
        "gso_type does not match the packet");
  if (!tcp) check(opt.udp && o.merged <= opt.max_udp_segments, "UDP merged beyond the options");
  if (tcp) check(opt.tcp, "TCP merged with TCP coalescing off");
  if (l.version == 4) check(packet::ConstIpv4Header(o.bytes).checksum_valid(), "IPv4 header checksum invalid");
  const auto l4 = o.bytes.subspan(l.l4_offset);
  const std::size_t field = tcp ? packet::TcpHeader::kChecksumOffset : packet::UdpHeader::kChecksumOffset;
  check(packet::load_be16(l4.data() + field) ==
            packet::fold(packet::pseudo_header_sum(l, static_cast<std::uint32_t>(l4.size()))),
        "L4 checksum field is not the folded pseudo-header sum");

  auto count = offload::gso_segment_count(o.header, o.bytes);
  check(count.ok() && count.segments == o.merged, "split count differs from merged");
  // One segment is at most the headers plus gso_size; sizing each slot to the whole super-packet
  // (45 x 64 KB under ASan) cost more than everything else the target does.
  const std::size_t l4_header =
      tcp ? packet::ConstTcpHeader(l4).header_length() : std::size_t{packet::UdpHeader::kSize};
  const std::size_t segment_max = std::min(o.bytes.size(), l.l4_offset + l4_header + o.header.gso_size);
  std::vector<Bytes> storage(count.segments, Bytes(segment_max));
  std::vector<std::span<std::uint8_t>> slots(storage.begin(), storage.end());
  std::vector<std::size_t> lengths(count.segments);
  auto r = offload::gso_split(o.header, o.bytes, slots, lengths);
  check(r.ok() && r.segments == o.merged, "merged output does not split");
  for (std::size_t i = 0; i < r.segments; ++i) {
    storage[i].resize(lengths[i]);
    got.push_back(std::move(storage[i]));
  }
}

// The same batch as packets in two pieces, split after their headers as a split by reference
// leaves them (docs/offload.md 6.V): the same outputs, headers and bytes once the pieces are
// joined, at most kMaxGroPieces pieces each, and a merged output gathered holds only its headers.
HARNESS_ONLY void check_in_two_pieces(const std::vector<Bytes>& batch, const offload::GroOptions& opt,
                                      std::span<const offload::GroOutput> whole) {
  std::vector<offload::Segment> segments;
  for (const Bytes& b : batch) {
    const std::span<const std::uint8_t> all(b);
    const Shape s = shape(b);
    std::size_t headers = 0;
    // Only after well-formed headers, as gso_split_headers (which refuses a TCP header under 20
    // bytes) leaves them: a head cut inside the fixed TCP header would name no ports.
    if (s.ok) {
      headers = s.l4 + packet::UdpHeader::kSize;
      if (s.proto == packet::kProtoTcp) headers = s.l4 + packet::ConstTcpHeader(all.subspan(s.l4)).header_length();
      if (s.proto == packet::kProtoTcp && headers < s.l4 + packet::TcpHeader::kMinSize) headers = 0;
    }
    if (headers == 0 || headers > b.size())
      segments.push_back({all, {}});
    else
      segments.push_back({all.first(headers), all.subspan(headers)});
  }
  static offload::GroTable pieces_table;
  pieces_table.set_options(opt);
  const auto out = pieces_table.coalesce(segments);
  check(out.size() == whole.size(), "two pieces: a different number of outputs");
  for (std::size_t k = 0; k < out.size(); ++k) {
    check(out[k].merged == whole[k].merged, "two pieces: an output carries a different count");
    check(out[k].header == whole[k].header, "two pieces: an output has a different header");
    check(out[k].more.size() <= offload::kMaxGroPieces, "two pieces: more pieces than a write gathers");
    check(out[k].size() == whole[k].bytes.size(), "two pieces: an output of a different length");
    Bytes joined(out[k].bytes.begin(), out[k].bytes.end());
    for (const auto& piece : out[k].more) joined.insert(joined.end(), piece.begin(), piece.end());
    check(std::equal(joined.begin(), joined.end(), whole[k].bytes.begin(), whole[k].bytes.end()),
          "two pieces: an output's bytes differ from the whole packets' output");
    if (out[k].merged > 1 && !out[k].more.empty())
      check(out[k].bytes.size() == out[k].header.hdr_len, "two pieces: a gathered output holds payload");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Reader r{{data, size}};
  const std::uint8_t o = r.u8();
  offload::GroOptions opt;
  opt.tcp = !(o & 1);
  opt.udp = !(o & 2);
  opt.max_udp_segments = (o >> 2) == 0 ? vnet::kUdpMaxSegments : (o >> 2);
  const std::vector<Bytes> batch = decode(r);
  const std::vector<std::span<const std::uint8_t>> spans(batch.begin(), batch.end());

  static offload::GroTable table;  // reused across inputs, as a forwarder does
  table.set_options(opt);
  const auto out = table.coalesce(spans);

  std::vector<Bytes> got;
  std::vector<bool> used(batch.size(), false);
  std::size_t carried = 0;
  for (const auto& x : out) {
    carried += x.merged;
    if (x.merged == 1) {
      check(x.header == vnet::VnetHeader{}, "unmerged output with a non-zero header");
      // Empty inputs may share a null data(): take the first unused one that matches.
      std::size_t i = 0;
      while (i < spans.size() && (used[i] || spans[i].data() != x.bytes.data() || spans[i].size() != x.bytes.size()))
        ++i;
      check(i < spans.size(), "unmerged output is not an unused input");
      used[i] = true;
      got.emplace_back(x.bytes.begin(), x.bytes.end());
    } else {
      check_merged(x, opt, got);
    }
  }
  check(carried == batch.size(), "outputs do not carry every input once");

  // Every input comes back exactly once, merged ones byte for byte through the split.
  std::vector<Bytes> want = batch;
  std::sort(want.begin(), want.end());
  std::sort(got.begin(), got.end());
  check(want == got, "outputs are not a permutation of the inputs");

  check_in_two_pieces(batch, opt, out);
  return 0;
}

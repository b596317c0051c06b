// Differential conformance of offload::GroTable against the kernel's GRO (issue 6).
//
// TUN A is opened with IFF_NAPI, so every write goes through napi_gro_receive(); B has the
// vnet header and TSO/USO, so the kernel hands its reader the super-packets GRO built.
// Batching: tun schedules NAPI per write(2) and, by default, napi_complete_done() flushes GRO at
// the end of every poll, so nothing would ever merge. With gro_flush_timeout set, the poll only
// flushes packets older than one jiffy and an hrtimer flushes the rest, so a burst written
// within one jiffy is coalesced as one batch. A burst that straddles a jiffy is cut at that
// point: such a case is detected (we merged where the kernel did not) and retried.
//
// Each packet carries its batch index in the first payload bytes, so every segment of a kernel
// or GroTable output is traced back to its input: the comparison is over which packets were
// merged together, plus the bytes of merged packets where both sides merged the same ones.
#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "conformance_env.h"
#include "device/tun_device.h"
#include "offload/gro_table.h"
#include "offload/gso_split.h"
#include "packet_diff.h"
#include "pcapio/link_type.h"
#include "support/engine_split.h"
#include "support/netns.h"
#include "support/packet_builder.h"

namespace {

using tbtest::Bytes;
using tbtest::Failures;
using tbtest::Rng;

constexpr int kMergeReadTimeoutMs = 2000;  // hang guard; the data says when all packets are in
constexpr int kRetries = 4;                // re-runs of a batch cut by a jiffy boundary

// Per-packet variations; the policy ones explain documented differences.
enum Mark : unsigned {
  kPsh = 1,
  kFin = 2,
  kShort = 4,
  kCwr = 8,
  kUrgPtr = 16,
  kBadCsum = 32,
  kTtl = 64,
  kWindow = 128,
  kAckChange = 256,
  kIdJump = 512,
  kCsum0 = 1024,
  kEce = 2048,
  kExt = 4096,
  kTos = 8192,
};

struct Input {
  Bytes bytes;
  int flow = 0;
  unsigned marks = 0;
};

struct Batch {
  std::vector<Input> packets;
  std::string text;
};

Batch generate_batch(Rng& rng, std::size_t index) {
  Batch b;
  const std::size_t flows = rng.range(1, 3);
  std::vector<std::vector<Input>> per_flow(flows);
  for (std::size_t fl = 0; fl < flows; ++fl) {
    tbtest::PacketSpec s;
    const int version = rng.chance(50) ? 4 : 6;
    if (version == 4) {
      s.src = {10, 20, 1, 2};
      s.dst = {10, 20, 2, 2};
    } else {
      s = tbtest::v6(s);
      s.src = {0xfd, 0x20, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
      s.dst = {0xfd, 0x20, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
      s.flow_label = static_cast<std::uint32_t>(rng.next() & 0xFFFFF);
    }
    s.proto = rng.chance(70) ? packet::kProtoTcp : packet::kProtoUdp;
    s.sport = static_cast<std::uint16_t>(30000 + (index * 4 + fl) % 30000);
    s.dport = tbtest::kConformanceDataPort;
    s.ttl = 64;
    s.id = static_cast<std::uint16_t>(rng.next());
    s.df = rng.chance(80);
    s.seq = static_cast<std::uint32_t>(rng.next());
    s.ack = static_cast<std::uint32_t>(rng.next());
    s.window = static_cast<std::uint16_t>(rng.range(100, 65535));
    const bool tcp = s.proto == packet::kProtoTcp;
    unsigned flow_marks = 0;
    if (tcp && rng.chance(50)) {
      s.tcp_options = {1, 1, 8, 10};
      for (int i = 0; i < 8; ++i) s.tcp_options.push_back(rng.byte());
    }
    if (tcp && rng.chance(8)) flow_marks |= kEce, s.flags |= packet::TcpHeader::kEce;
    if (version == 6 && rng.chance(8)) flow_marks |= kExt, s.ipv6_ext_headers.push_back({packet::kProtoDestOpts, 8});
    const std::size_t hdr = tbtest::ip_header_size(s) + tbtest::l4_header_size(s);
    const std::size_t seg =
        rng.chance(75) ? tbtest::kConformanceMtu - hdr : rng.range(64, tbtest::kConformanceMtu - hdr);
    const std::size_t count = !tcp && rng.chance(10) ? 70 : rng.range(2, 16);
    const std::size_t small_seg = count > 64 ? 200 : seg;  // many small datagrams: the 64-segment cap
    for (std::size_t k = 0; k < count; ++k) {
      tbtest::PacketSpec p = s;
      unsigned marks = flow_marks;
      std::size_t len = small_seg;
      if (rng.chance(12)) {
        static constexpr unsigned kTcpMarks[] = {kPsh,    kShort,     kCwr,    kUrgPtr, kBadCsum, kTtl,
                                                 kWindow, kAckChange, kIdJump, kTos,    kFin};
        static constexpr unsigned kUdpMarks[] = {kShort, kBadCsum, kTtl, kCsum0, kIdJump, kTos};
        unsigned m =
            tcp ? kTcpMarks[rng.range(0, std::size(kTcpMarks) - 1)] : kUdpMarks[rng.range(0, std::size(kUdpMarks) - 1)];
        if ((m == kCsum0 || m == kIdJump) && version == 6) m = kTtl;
        if (m == kFin && k + 1 != count) m = kPsh;  // FIN only ends a flow
        marks |= m;
      }
      if (marks & kShort) len = rng.range(4, len - 1);
      if (marks & kPsh) p.flags |= packet::TcpHeader::kPsh;
      if (marks & kFin) p.flags |= packet::TcpHeader::kFin;
      if (marks & kCwr) p.flags |= packet::TcpHeader::kCwr;
      if (marks & kTtl) p.ttl = 63;
      if (marks & kTos) p.tos = 0x10;
      // Lasting changes: later packets of the flow keep the new value.
      if (marks & kWindow) s.window = p.window = static_cast<std::uint16_t>(s.window ^ 0x100);
      if (marks & kAckChange) s.ack = p.ack = s.ack + 1000;
      if (marks & kIdJump) s.id = p.id = static_cast<std::uint16_t>(s.id + 1000);
      p.payload.resize(len);
      for (auto& x : p.payload) x = rng.byte();
      Bytes bytes = tbtest::build(p);
      if (marks & (kUrgPtr | kCsum0 | kBadCsum)) {
        const auto fi = tbtest::flow_info(bytes);
        auto l4 = std::span(bytes).subspan(fi.l4_offset);
        if (marks & kUrgPtr) packet::TcpHeader(l4).set_urgent(0x55);  // URG flag off: pointer unused
        if (marks & kUrgPtr) tbtest::refresh_l4_checksum(bytes);
        if (marks & kCsum0) packet::UdpHeader(l4).set_checksum(0);  // IPv4 "no checksum"
        if (marks & kBadCsum) l4[tbtest::csum_field(s.proto)] ^= 0x5A;
      }
      per_flow[fl].push_back(Input{std::move(bytes), static_cast<int>(fl), marks});
      s.seq += static_cast<std::uint32_t>(len);
      s.id = static_cast<std::uint16_t>(s.id + 1);
    }
    b.text += "[flow " + std::to_string(fl) + ": v" + std::to_string(version) + (tcp ? " TCP" : " UDP") + " x" +
              std::to_string(count) + " seg " + std::to_string(small_seg) + "] ";
  }
  // Interleave the flows at random, keeping each flow's order.
  std::vector<std::size_t> next(flows, 0);
  for (;;) {
    std::vector<std::size_t> open;
    for (std::size_t fl = 0; fl < flows; ++fl)
      if (next[fl] < per_flow[fl].size()) open.push_back(fl);
    if (open.empty()) break;
    const std::size_t fl = open[rng.range(0, open.size() - 1)];
    b.packets.push_back(std::move(per_flow[fl][next[fl]++]));
  }
  // Tag: the batch position in the first payload bytes (checksum redone unless meant to be bad).
  for (std::size_t i = 0; i < b.packets.size(); ++i) {
    Input& in = b.packets[i];
    const auto fi = tbtest::flow_info(in.bytes);
    packet::store_be16(in.bytes.data() + fi.payload_offset, static_cast<std::uint16_t>(i));
    if (!(in.marks & (kBadCsum | kCsum0))) tbtest::refresh_l4_checksum(in.bytes);
    if (in.marks & kBadCsum) {
      tbtest::refresh_l4_checksum(in.bytes);
      in.bytes[fi.l4_offset + tbtest::csum_field(fi.proto)] ^= 0x5A;
    }
  }
  return b;
}

struct Output {
  vnet::VnetHeader header;
  Bytes bytes;
  std::vector<int> members;  // batch positions, in segment order
};

// Splits one output (kernel's or ours) and maps its segments back to batch positions; the
// segments themselves go to `segments` (position -> bytes) for content checks.
bool trace(Output& o, std::vector<Bytes>& segments, std::string& err) {
  auto split = tbtest::engine_split(o.header, o.bytes);
  if (!split.ok()) return err = std::string("cannot split: ") + offload::to_string(*split.error), false;
  for (auto& seg : split.segments) {
    const auto fi = tbtest::flow_info(seg);
    if (!fi.ok || seg.size() < fi.payload_offset + 2) return err = "segment without a tag", false;
    const int pos = packet::load_be16(seg.data() + fi.payload_offset);
    if (pos < 0 || static_cast<std::size_t>(pos) >= segments.size()) return err = "bad tag", false;
    o.members.push_back(pos);
    segments[static_cast<std::size_t>(pos)] = std::move(seg);
  }
  return true;
}

using Pairs = std::set<std::pair<int, int>>;
Pairs successor_pairs(const std::vector<Output>& outs) {
  Pairs p;
  for (const auto& o : outs)
    for (std::size_t i = 1; i < o.members.size(); ++i) p.insert({o.members[i - 1], o.members[i]});
  return p;
}

// Why the kernel merged j after i where GroTable did not; empty = unexplained.
std::string kernel_only_reason(const Batch& b, int i, int j) {
  const Input& x = b.packets[static_cast<std::size_t>(i)];
  const Input& y = b.packets[static_cast<std::size_t>(j)];
  const unsigned both = x.marks | y.marks;
  if (both & kEce) return "kernel merges TCP segments with equal ECE (ours: ECE never merges)";
  if (y.marks & kFin) return "kernel lets a FIN segment end a run (ours: FIN never merges)";
  if (both & kUrgPtr) return "kernel does not compare the urgent pointer (ours: must equal the head's)";
  if (both & kExt) return "kernel merges IPv6 with extension headers (ours: next header must be TCP/UDP)";
  if (both & kCsum0) return "kernel merges IPv4 UDP with checksum 0 (ours: zero checksum never merges)";
  for (int k = i + 1; k < j; ++k) {
    const Input& between = b.packets[static_cast<std::size_t>(k)];
    if (between.flow == x.flow && (between.marks & kBadCsum))
      return "kernel passes an unmergeable packet up at once and keeps extending the held run (reorders the flow; "
             "ours: the packet closes its flow's runs)";
  }
  return {};
}

// Why GroTable merged j after i where the kernel did not (after retries); empty = unexplained.
std::string ours_only_reason(const Batch& b, int i, int /*j*/) {
  const int flow = b.packets[static_cast<std::size_t>(i)].flow;
  for (int k = i; k >= 0; --k) {
    const Input& p = b.packets[static_cast<std::size_t>(k)];
    if (p.flow == flow && (p.marks & kCwr))
      return "kernel GRO puts a CWR segment at the head of a run and marks it SKB_GSO_TCP_ECN; without TUN_F_TSO_ECN "
             "the stack segments that run before B (ours: CWR is a barrier, later segments merge)";
  }
  return {};
}

TEST(GroConformance, KernelGroMatchesGroTable) {
  TB_REQUIRE_ROOT();
  const std::uint64_t seed = tbtest::seed_from_env(20250602);
  const std::size_t cases = tbtest::cases_from_env(150);
  tbtest::expect_in_new_netns([&](Failures& f) {
    std::string err;
    if (!f.expect(tbtest::mount_namespace_sysfs(err), err)) return;
    if (!f.expect(tbtest::enable_forwarding(err), err)) return;
    const device::UniqueFd a =
        tbtest::open_napi_tun("tbcrA", tbtest::kConformanceMtu, "10.20.1.1/24", "fd20:1::1/64", err);
    if (!f.expect(a.valid(), err)) return;
    // UDP GRO of forwarded traffic is off by default (no socket asks for it).
    if (!f.expect(tbtest::set_feature("tbcrA", "rx-udp-gro-forwarding", true, err), err)) return;
    if (!f.expect(tbtest::write_setting("/sys/class/net/tbcrA/gro_flush_timeout", "20000000", err), err)) return;
    const auto b = device::TunDevice::open({.name = "tbcrB",
                                            .vnet_hdr = true,
                                            .mtu = tbtest::kConformanceMtu,
                                            .ipv4 = "10.20.2.1/24",
                                            .ipv6 = "fd20:2::1/64"});
    if (!f.expect(b->offloads().tcp_gso() && b->offloads().udp_gso(), "B lacks TSO/USO: " + describe(b->offloads())))
      return;
    const int bfd = b->queue(0).fd();

    Rng rng(seed);
    tbtest::Tally t;
    offload::GroTable table;
    std::size_t retried = 0;
    for (std::size_t ci = 0; ci < cases; ++ci) {
      const Batch batch = generate_batch(rng, ci);
      const std::size_t n = batch.packets.size();
      ++t.cases;
      std::vector<std::string> problems, reasons;

      // Ours: coalesce, then every output must split back into exactly the inputs (§6 check).
      std::vector<std::span<const std::uint8_t>> spans;
      for (const auto& p : batch.packets) spans.emplace_back(p.bytes);
      std::vector<Output> ours;
      std::vector<Bytes> our_segs(n);
      for (const auto& o : table.coalesce(spans)) {
        ours.push_back(Output{o.header, Bytes(o.bytes.begin(), o.bytes.end()), {}});
        if (!trace(ours.back(), our_segs, err)) problems.push_back("OUR output: " + err);
      }
      for (std::size_t i = 0; i < n; ++i) {
        const std::string d = tbtest::describe_diff(our_segs[i], batch.packets[i].bytes);
        if (!d.empty()) problems.push_back("OUR split(merge) != input at " + std::to_string(i) + ": " + d);
      }
      const Pairs our_pairs = successor_pairs(ours);

      std::vector<Output> kernel;
      Pairs kernel_pairs;
      for (int attempt = 0; attempt < kRetries; ++attempt) {
        kernel.clear();
        for (const auto& p : batch.packets) {
          if (!tbtest::write_packet(a.get(), p.bytes, err)) {
            f.fail("case " + std::to_string(ci) + ": write into A: " + err);
            return;
          }
        }
        std::vector<Bytes> segs(n);
        std::size_t seen = 0;
        while (seen < n) {
          auto r = tbtest::read_packet(bfd, kMergeReadTimeoutMs);
          if (!r) break;
          if (r->size() < vnet::kHeaderSize) continue;
          Output o{vnet::decode(std::span<const std::uint8_t, vnet::kHeaderSize>(r->data(), vnet::kHeaderSize)),
                   Bytes(r->begin() + vnet::kHeaderSize, r->end()),
                   {}};
          const auto fi = tbtest::flow_info(o.bytes);
          if (!fi.ok || fi.dport != tbtest::kConformanceDataPort) continue;  // IPv6 noise of the namespace
          if (!trace(o, segs, err)) {
            problems.push_back("kernel output: " + err);
            continue;
          }
          seen += o.members.size();
          kernel.push_back(std::move(o));
        }
        // Which kernel output carried each position, to attribute consequences of a merge.
        std::vector<int> group(n, -1);
        for (std::size_t g = 0; g < kernel.size(); ++g)
          for (int m : kernel[g].members) group[static_cast<std::size_t>(m)] = static_cast<int>(g);
        auto group_has = [&](std::size_t i, unsigned mark) {
          if (group[i] < 0) return false;
          for (int m : kernel[static_cast<std::size_t>(group[i])].members)
            if (batch.packets[static_cast<std::size_t>(m)].marks & mark) return true;
          return false;
        };
        for (std::size_t i = 0; i < n; ++i) {
          const Input& in = batch.packets[i];
          if (segs[i].empty()) {
            // The forwarding MTU check for GSO misreads the TCP header behind IPv6 extension
            // headers (see the GSO test); a super-packet GRO built from such a flow is dropped.
            const auto fi = tbtest::flow_info(in.bytes);
            const std::size_t misread =
                packet::Ipv6Header::kSize + std::size_t{4} * (in.bytes[packet::Ipv6Header::kSize + 12] >> 4);
            // A short packet rides in a run whose gso_size is the flow's full segment size.
            std::size_t gso_size = 0;
            for (const auto& q : batch.packets)
              if (q.flow == in.flow) gso_size = std::max(gso_size, q.bytes.size() - fi.payload_offset);
            if ((in.marks & kExt) && misread + gso_size > static_cast<std::size_t>(tbtest::kConformanceMtu))
              reasons.push_back(
                  "kernel GRO merges an IPv6 flow with extension headers, then forwarding's GSO MTU "
                  "check misreads the TCP header and drops the super-packet");
            else
              problems.push_back("kernel lost packet " + std::to_string(i));
            continue;
          }
          Bytes k = segs[i];
          std::string why;
          if (!tbtest::unforward(k, why)) {
            problems.push_back("kernel segment " + std::to_string(i) + ": " + why);
            continue;
          }
          const std::string d = tbtest::describe_diff(k, in.bytes);
          if (d.empty()) continue;
          // A merged UDP datagram that had checksum 0, or a TCP segment merged behind a head with
          // another urgent pointer, comes back with a computed checksum / the head's pointer:
          // consequences of those merges.
          if (group_has(i, kCsum0))
            reasons.push_back("kernel merges IPv4 UDP with checksum 0 (ours: zero checksum never merges)");
          else if (group_has(i, kUrgPtr))
            reasons.push_back("kernel does not compare the urgent pointer (ours: must equal the head's)");
          else
            problems.push_back("kernel segment " + std::to_string(i) + " (kernel vs input): " + d);
        }
        kernel_pairs = successor_pairs(kernel);
        bool cut = false;
        for (const auto& pr : our_pairs)
          if (!kernel_pairs.count(pr) && ours_only_reason(batch, pr.first, pr.second).empty()) cut = true;
        if (!cut || !problems.empty()) break;
        ++retried;  // probably a jiffy boundary inside the burst: write it again
      }

      for (const auto& pr : kernel_pairs) {
        if (our_pairs.count(pr)) continue;
        const std::string r = kernel_only_reason(batch, pr.first, pr.second);
        if (r.empty())
          problems.push_back("kernel merged " + std::to_string(pr.first) + "->" + std::to_string(pr.second) +
                             ", ours did not");
        else
          reasons.push_back(r);
      }
      for (const auto& pr : our_pairs) {
        if (kernel_pairs.count(pr)) continue;
        const std::string r = ours_only_reason(batch, pr.first, pr.second);
        if (r.empty())
          problems.push_back("ours merged " + std::to_string(pr.first) + "->" + std::to_string(pr.second) +
                             ", kernel did not");
        else
          reasons.push_back(r);
      }
      // Where both merged exactly the same packets, the super-packets must agree too (the
      // kernel's hdr_len is only a linear-buffer hint, docs/offload.md §3).
      for (const auto& k : kernel) {
        if (k.members.size() < 2) continue;
        for (const auto& o : ours) {
          if (o.members != k.members) continue;
          vnet::VnetHeader kh = k.header, oh = o.header;
          kh.hdr_len = oh.hdr_len = 0;
          if (!(kh == oh))
            problems.push_back("vnet header kernel {" + vnet::describe(k.header) + "} vs ours {" +
                               vnet::describe(o.header) + "}");
          Bytes kb = k.bytes;
          std::string why;
          if (!tbtest::unforward(kb, why))
            problems.push_back("merged: " + why);
          else if (const std::string d = tbtest::describe_diff(kb, o.bytes); !d.empty())
            problems.push_back("merged packet at " + std::to_string(k.members[0]) + " (kernel vs ours): " + d);
        }
      }

      if (problems.empty() && reasons.empty()) {
        ++t.agree;
      } else if (problems.empty()) {
        ++t.documented;
        std::sort(reasons.begin(), reasons.end());
        reasons.erase(std::unique(reasons.begin(), reasons.end()), reasons.end());
        for (const auto& r : reasons) t.document(r);
      } else {
        ++t.failures;
        const std::string base = "gro-seed" + std::to_string(seed) + "-case" + std::to_string(ci);
        std::vector<Bytes> in, kout, oout;
        for (const auto& p : batch.packets) in.push_back(p.bytes);
        for (const auto& k : kernel) kout.push_back(tbtest::with_vnet(k.header, k.bytes));
        for (const auto& o : ours) oout.push_back(tbtest::with_vnet(o.header, o.bytes));
        const std::string path = tbtest::save_case(base, pcapio::kLinkRaw, in, pcapio::kLinkUser0, kout, oout);
        std::string text = "case " + std::to_string(ci) + " " + batch.text + ": ";
        for (std::size_t i = 0; i < problems.size() && i < 4; ++i) text += problems[i] + " | ";
        text.append("(saved ").append(path).append(")");
        t.fail(text);
      }
    }
    t.print("gro", seed);
    std::printf("  (%zu bursts rewritten after a jiffy boundary cut a run)\n", retried);
    std::fflush(stdout);
    t.expect_conformance(f, "GRO", seed);
  });
}

}  // namespace

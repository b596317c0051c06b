#include "check/crafted_crossing.h"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "check/crafted_packets.h"
#include "check/engine_cut.h"
#include "check/packet_diff.h"
#include "check/packet_rules.h"

namespace check {
namespace {

using Bytes = std::vector<std::uint8_t>;

}  // namespace

std::vector<Bytes> packets_of(const CapturedPacket& p) {
  if (!p.vnet.is_gso() && !p.vnet.needs_csum()) return {p.bytes};
  return engine_cut(as_captured(p.vnet, p.bytes.size()), p.bytes);
}

CrossingReport compare_crossings(const std::vector<ExpectedCrossing>& expected, std::uint16_t port,
                                 std::span<const CapturedPacket> entry, std::span<const CapturedPacket> exit) {
  CrossingReport r;
  r.expected = expected.size();
  // The first copy of each tag the forwarder read (a packet it reads twice is the kernel's doing).
  std::map<std::uint16_t, Bytes> read;
  for (const auto& p : entry) {
    if (p.written || p.truncated) continue;
    for (auto& piece : packets_of(p)) {
      const auto tags = tags_in(piece, port);
      if (tags.size() == 1 && tags[0] < expected.size() && !read.contains(tags[0])) read.emplace(tags[0], piece);
    }
  }
  // Every copy of each tag the forwarder wrote, and writes that held more than one.
  std::map<std::uint16_t, std::vector<Bytes>> written;
  for (const auto& p : exit) {
    if (!p.written || p.truncated) continue;
    const auto pieces = packets_of(p);
    if (pieces.size() > 1 || p.vnet.is_gso()) {
      bool crafted = false;
      for (const auto& piece : pieces) crafted = crafted || !tags_in(piece, port).empty();
      if (crafted) ++r.super_packets;
    }
    for (const auto& piece : pieces) {
      auto tags = tags_in(piece, port);
      std::erase_if(tags, [&](std::uint16_t t) { return t >= expected.size(); });
      if (tags.empty()) continue;
      if (std::set<std::uint16_t>(tags.begin(), tags.end()).size() > 1)
        add_problem(r, fmt::format("#{} {} and {} other crafted packet(s) were written as one {}-byte packet", tags[0],
                                   expected[tags[0]].name, tags.size() - 1, piece.size()));
      written[tags[0]].push_back(piece);
    }
  }
  for (std::uint16_t i = 0; i < expected.size(); ++i) {
    const auto& e = expected[i];
    const auto r_it = read.find(i);
    const auto w_it = written.find(i);
    if (r_it == read.end()) {
      // Never handed to the forwarder: nothing it could have done, unless it wrote it anyway.
      if (w_it == written.end()) {
        r.kernel_notes.push_back(fmt::format("#{} {}: the kernel never handed it to the forwarder", i, e.name));
        continue;
      }
    } else {
      ++r.read;
    }
    // The reference is what the forwarder read; the injected bytes only when the capture missed
    // that copy; with neither (a kernel's packet the capture missed) there is nothing to judge.
    const Bytes& reference = r_it != read.end() ? r_it->second : e.injected;
    if (reference.empty()) {
      r.kernel_notes.push_back(
          fmt::format("#{} {}: written, but the copy read was not captured: not judged", i, e.name));
      continue;
    }
    if (r_it != read.end() && !e.injected.empty()) {
      if (const auto d = first_difference(e.injected, r_it->second))
        r.kernel_notes.push_back(
            fmt::format("#{} {}: the kernel changed it before the forwarder read it: {}", i, e.name, *d));
    }
    if (w_it == written.end()) {
      add_problem(
          r, fmt::format("#{} {} ({} bytes) was read by the forwarder but never written", i, e.name, reference.size()));
      continue;
    }
    ++r.arrived;
    const auto& copies = w_it->second;
    if (copies.size() > 1) add_problem(r, fmt::format("#{} {} was written {} times", i, e.name, copies.size()));
    if (const auto d = first_difference(reference, copies.front())) {
      add_problem(r, fmt::format("#{} {}: {}", i, e.name, *d));
    } else if (copies.size() == 1) {
      ++r.exact;
    }
  }
  return r;
}

std::size_t tags_written(std::span<const CapturedPacket> exit, std::uint16_t port, std::size_t count) {
  std::set<std::uint16_t> seen;
  for (const auto& p : exit) {
    if (!p.written || p.truncated) continue;
    // No cutting needed: a tag is in the bytes whether the write is a super-packet or not.
    for (const auto t : tags_in(p.bytes, port))
      if (t < count) seen.insert(t);
  }
  return seen.size();
}

}  // namespace check

#include "check/kernel_comparison.h"

#include <map>
#include <set>

#include <fmt/format.h>

#include "check/crafted_crossing.h"
#include "check/crafted_packets.h"
#include "check/packet_diff.h"

namespace check {
namespace {

using Bytes = std::vector<std::uint8_t>;

// The crafted packets (tags below `count`) each delivered packet holds, whole: a super-packet's
// tags all at once, without cutting it.
std::vector<std::set<std::uint16_t>> groups_of(std::span<const CapturedPacket> exit, std::uint16_t port,
                                               std::size_t count) {
  std::vector<std::set<std::uint16_t>> groups;
  for (const auto& p : exit) {
    if (!p.written || p.truncated) continue;
    std::set<std::uint16_t> g;
    for (const auto t : tags_in(p.bytes, port))
      if (t < count) g.insert(t);
    if (!g.empty()) groups.push_back(std::move(g));
  }
  return groups;
}

std::string listed(const std::set<std::uint16_t>& tags, const std::vector<std::string>& names) {
  std::string s;
  for (const auto t : tags) s += fmt::format("{}#{} {}", s.empty() ? "" : ", ", t, names[t]);
  return s;
}

// Tag → the segments carrying it (first tag of each piece), cut the way packets_of() cuts.
std::map<std::uint16_t, std::vector<Bytes>> segments_by_tag(std::span<const CapturedPacket> exit, std::uint16_t port,
                                                            std::size_t count, std::vector<std::string>* odd) {
  std::map<std::uint16_t, std::vector<Bytes>> by_tag;
  for (const auto& p : exit) {
    if (!p.written || p.truncated) continue;
    for (auto& piece : packets_of(p)) {
      auto tags = tags_in(piece, port);
      std::erase_if(tags, [&](std::uint16_t t) { return t >= count; });
      if (tags.empty()) continue;
      if (tags.size() > 1 && odd)
        odd->push_back(fmt::format("one {}-byte segment holds {} tagged segments, from #{}", piece.size(), tags.size(),
                                   tags.front()));
      by_tag[tags.front()].push_back(std::move(piece));
    }
  }
  return by_tag;
}

}  // namespace

KernelComparison compare_merges(const std::vector<std::string>& names, std::uint16_t port,
                                std::span<const CapturedPacket> forwarder_exit,
                                std::span<const CapturedPacket> kernel_exit) {
  KernelComparison r;
  std::map<std::uint16_t, std::size_t> kernel_group;  // tag → which kernel delivery held it
  const auto kernel = groups_of(kernel_exit, port, names.size());
  for (std::size_t g = 0; g < kernel.size(); ++g) {
    if (kernel[g].size() > 1) ++r.kernel_merges;
    for (const auto t : kernel[g]) kernel_group.emplace(t, g);
  }
  for (const auto& group : groups_of(forwarder_exit, port, names.size())) {
    r.compared += group.size();
    if (group.size() < 2) continue;
    ++r.forwarder_merges;
    std::set<std::uint16_t> apart, unknown;
    const auto head = kernel_group.find(*group.begin());
    for (const auto t : group) {
      const auto k = kernel_group.find(t);
      if (k == kernel_group.end() || head == kernel_group.end())
        unknown.insert(t);
      else if (k->second != head->second)
        apart.insert(t);
    }
    if (!apart.empty())
      add_problem(r, fmt::format("the forwarder wrote {} as one packet; the kernel's GRO kept {} apart from #{}",
                                 listed(group, names), listed(apart, names), *group.begin()));
    if (!unknown.empty())
      r.notes.push_back(fmt::format("kernel oracle: {} never came out of the kernel's path: that merge is not judged",
                                    listed(unknown, names)));
  }
  return r;
}

KernelComparison compare_segments(const std::vector<std::string>& names, std::uint16_t port,
                                  std::span<const CapturedPacket> forwarder_exit,
                                  std::span<const CapturedPacket> kernel_exit) {
  KernelComparison r;
  std::vector<std::string> odd;
  const auto ours = segments_by_tag(forwarder_exit, port, names.size(), &odd);
  for (auto& o : odd) add_problem(r, "the forwarder's " + o);
  std::vector<std::string> kernel_odd;
  const auto kernel = segments_by_tag(kernel_exit, port, names.size(), &kernel_odd);
  for (auto& o : kernel_odd) r.notes.push_back("kernel oracle: " + o);
  for (std::uint16_t i = 0; i < names.size(); ++i) {
    const auto k = kernel.find(i);
    const auto f = ours.find(i);
    if (k == kernel.end()) {
      r.notes.push_back(
          fmt::format("kernel oracle: #{} {} never came out of the kernel's path: not judged", i, names[i]));
      continue;
    }
    if (f == ours.end()) {
      add_problem(r,
                  fmt::format("#{} {}: the kernel's segmentation makes it, the forwarder never wrote it", i, names[i]));
      continue;
    }
    ++r.compared;
    if (f->second.size() > 1) add_problem(r, fmt::format("#{} {} was written {} times", i, names[i], f->second.size()));
    if (const auto d = first_difference(k->second.front(), f->second.front()))
      add_problem(r, fmt::format("#{} {}: differs from the kernel's segment at {}", i, names[i], *d));
  }
  return r;
}

}  // namespace check

#pragma once
// The kernel oracle for merging (docs/check.md, "The kernel oracle"): crafted packets a forwarder
// got are sent through the kernel's own GRO (a veth pair, kernel_path.h), and every write of the
// forwarder that holds several of them must hold only packets the kernel delivered together too.
// A control run (segments of one flow the kernel's GRO must merge) goes along, so a kernel path
// that merged nothing cannot let a forwarder pass unjudged.
#include <span>
#include <vector>

#include "check/capture.h"
#include "check/crafted_packets.h"
#include "check/target.h"
#include "check/verdict.h"

namespace check {

// `packets` carry tags 0 … n−1 of t.port; `written` is what the forwarder wrote into the server's
// device. Fails `v` with the merges the kernel would not make; notes what the kernel merged.
void judge_merges_with_kernel(Verdict& v, const Target& t, const std::vector<CraftedPacket>& packets,
                              std::span<const CapturedPacket> written);

}  // namespace check

#pragma once
// `perf script` text (its default format) folded into stacks, the input of a flame graph: one
// "comm;root;...;leaf" key per distinct stack, with the number of samples that had it. The rules
// are those of Brendan Gregg's stackcollapse-perf.pl, so a graph reads like the ones published
// with the reference benchmark.
#include <cstddef>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace report {

// "comm;root;...;leaf" → samples. Ordered, so the folded text and the graph are deterministic.
using FoldedStacks = std::map<std::string, std::uint64_t>;

// Input that is not `perf script` output; what() names the line ("perf script line 12: ...").
struct FoldError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// One stack per sample: a header line `comm pid[/tid] ... time: period event:`, then its frames
// `\taddr symbol+0xoff (dso)`, leaf first, then a blank line (so an indented line right after a
// header or a frame is a frame, any other line a header). The folded frames:
// - the root is the comm (spaces become '_', as in stackcollapse-perf);
// - `+0x..` offsets are stripped, so every sample in one function folds into one frame;
// - a kernel frame (dso `[kernel.kallsyms]`, a `[module]` or a vmlinux) gets the suffix `_[k]`;
// - `[unknown]` becomes `[basename of the dso]` when perf knows the dso, else stays `[unknown]`;
// - a ';' inside a symbol becomes ':' (';' separates frames).
// Identical stacks are merged. Throws FoldError on anything else.
FoldedStacks fold_perf_script(std::string_view text);

// Adds every stack of `from` to `into` (samples of the same row, several passes).
void merge_folded(FoldedStacks& into, const FoldedStacks& from);

std::uint64_t total_samples(const FoldedStacks& folded);

// The `n` stacks with the most samples, most first (ties by stack text).
std::vector<std::pair<std::string, std::uint64_t>> top_stacks(const FoldedStacks& folded, std::size_t n);

// The stackcollapse text format: "stack count\n" per stack.
std::string folded_text(const FoldedStacks& folded);

}  // namespace report

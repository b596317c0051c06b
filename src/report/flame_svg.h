#pragma once
// Folded stacks drawn as a flame graph: a standalone SVG in the layout of Brendan Gregg's
// flamegraph.pl (root at the bottom, a frame as wide as its samples, frames of one level in
// alphabetical order, so two graphs of the same code line up), with a tooltip per frame.
#include <cstdint>
#include <string>
#include <vector>

#include "report/flame_fold.h"

namespace report {

struct FlameOptions {
  std::string title = "Flame graph";
  std::string subtitle;  // e.g. what was profiled and how
  double width = 1200;   // px, the whole image; the root frame spans it less the side margins
  double frame_height = 16;
  double min_percent = 0.1;  // frames narrower than this share of all samples are not drawn
};

// One drawn frame. `depth` 0 is the root ("all"), 1 the comm, then the stack from its root.
struct FlameBox {
  std::string name;
  int depth = 0;
  double x = 0, width = 0;  // px
  std::uint64_t samples = 0;
  bool kernel = false;  // a `_[k]` frame
};

// The frames to draw, parents before their children. Empty when there are no samples.
std::vector<FlameBox> flame_layout(const FoldedStacks& folded, const FlameOptions& options);

// The SVG document. With no samples, an image that says so.
std::string flame_svg(const FoldedStacks& folded, const FlameOptions& options);

// &, <, >, " and ' as entities; control characters (not allowed in XML 1.0) as '?'.
std::string xml_escape(const std::string& text);

}  // namespace report

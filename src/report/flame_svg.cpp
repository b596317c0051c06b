#include "report/flame_svg.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "report/name_hash.h"

namespace report {
namespace {

constexpr double kSideMargin = 10;  // px left and right of the root frame
constexpr double kTop = 48;         // px above the deepest possible frame: title and subtitle
constexpr double kBottom = 10;
constexpr double kFontSize = 12;
constexpr double kCharWidth = 0.59 * kFontSize;  // Verdana's average, as flamegraph.pl estimates it

struct Node {
  std::uint64_t samples = 0;
  std::map<std::string, Node> children;  // by name: the alphabetical order of each level
};

Node build_tree(const FoldedStacks& folded) {
  Node root;
  for (const auto& [stack, count] : folded) {
    root.samples += count;
    Node* node = &root;
    for (std::size_t start = 0; start <= stack.size();) {
      auto end = stack.find(';', start);
      if (end == std::string::npos) end = stack.size();
      node = &node->children[stack.substr(start, end - start)];
      node->samples += count;
      start = end + 1;
    }
  }
  return root;
}

void place(const std::string& name, const Node& node, int depth, double x, double px_per_sample,
           std::uint64_t min_samples, std::vector<FlameBox>& out) {
  // A parent narrower than the limit hides its children too: they are narrower still.
  if (node.samples < min_samples) return;
  const double width = static_cast<double>(node.samples) * px_per_sample;
  out.push_back({name, depth, x, width, node.samples, name.ends_with("_[k]")});
  for (const auto& [child_name, child] : node.children) {
    place(child_name, child, depth + 1, x, px_per_sample, min_samples, out);
    x += static_cast<double>(child.samples) * px_per_sample;
  }
}

// Kernel frames blue, user frames flamegraph.pl's "hot" red to yellow, the root grey.
std::string colour(const FlameBox& box) {
  if (box.depth == 0) return "rgb(200,200,200)";
  const std::uint32_t h = name_hash(box.name);
  const double v1 = static_cast<double>(h & 0xffff) / 65535.0;
  const double v2 = static_cast<double>(h >> 16) / 65535.0;
  if (box.kernel)
    return fmt::format("rgb({},{},{})", 70 + static_cast<int>(50 * v2), 130 + static_cast<int>(60 * v1),
                       210 + static_cast<int>(45 * v2));
  return fmt::format("rgb({},{},{})", 205 + static_cast<int>(50 * v2), static_cast<int>(230 * v1),
                     static_cast<int>(55 * v2));
}

// The name as far as it fits in the frame ("name.." when cut), or nothing under three characters.
std::string fitted_label(const std::string& name, double width) {
  const auto fit = static_cast<std::size_t>(std::max(0.0, (width - 6) / kCharWidth));
  if (fit < 3) return {};
  if (name.size() <= fit) return name;
  return name.substr(0, fit - 2) + "..";
}

}  // namespace

std::string xml_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n') ? '?' : c;
    }
  }
  return out;
}

std::vector<FlameBox> flame_layout(const FoldedStacks& folded, const FlameOptions& options) {
  std::vector<FlameBox> boxes;
  const Node root = build_tree(folded);
  if (root.samples == 0) return boxes;
  const double px_per_sample = (options.width - 2 * kSideMargin) / static_cast<double>(root.samples);
  // The smallest frame drawn, in whole samples (at least one).
  const auto min_samples = std::max<std::uint64_t>(
      1, static_cast<std::uint64_t>(static_cast<double>(root.samples) * options.min_percent / 100.0));
  place("all", root, 0, kSideMargin, px_per_sample, min_samples, boxes);
  return boxes;
}

std::string flame_svg(const FoldedStacks& folded, const FlameOptions& options) {
  const auto boxes = flame_layout(folded, options);
  int max_depth = 0;
  for (const auto& b : boxes) max_depth = std::max(max_depth, b.depth);
  const double height = kTop + (max_depth + 1) * options.frame_height + kBottom;
  const double total = boxes.empty() ? 0 : static_cast<double>(boxes.front().samples);

  std::string out = fmt::format(
      "<?xml version=\"1.0\" standalone=\"no\"?>\n"
      "<svg version=\"1.1\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
      "xmlns=\"http://www.w3.org/2000/svg\">\n"
      "<style>text {{ font-family: Verdana, sans-serif; font-size: {2}px; fill: #000; }} "
      ".title {{ font-size: 17px; }}</style>\n"
      "<rect x=\"0\" y=\"0\" width=\"{0}\" height=\"{1}\" fill=\"#f8f8f8\"/>\n"
      "<text class=\"title\" x=\"{3}\" y=\"22\" text-anchor=\"middle\">{4}</text>\n"
      "<text x=\"{3}\" y=\"40\" text-anchor=\"middle\">{5}</text>\n",
      options.width, height, kFontSize, options.width / 2, xml_escape(options.title),
      xml_escape(boxes.empty() ? "no samples" : options.subtitle));
  for (const auto& b : boxes) {
    const double y = height - kBottom - (b.depth + 1) * options.frame_height;
    const double percent = 100.0 * static_cast<double>(b.samples) / total;
    out += fmt::format("<g><title>{} ({} samples, {:.2f}%)</title>", xml_escape(b.name), b.samples, percent);
    out += fmt::format("<rect x=\"{:.2f}\" y=\"{:.1f}\" width=\"{:.2f}\" height=\"{:.1f}\" fill=\"{}\" rx=\"2\"/>", b.x,
                       y, b.width, options.frame_height - 1, colour(b));
    const auto label = fitted_label(b.name, b.width);
    if (!label.empty())
      out += fmt::format("<text x=\"{:.2f}\" y=\"{:.1f}\">{}</text>", b.x + 3, y + options.frame_height - 4.5,
                         xml_escape(label));
    out += "</g>\n";
  }
  out += "</svg>\n";
  return out;
}

}  // namespace report

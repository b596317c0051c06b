// The drawing rules of report/flame_svg.h: the geometry of the frames (checked on the layout and
// on the SVG text itself), escaping, colours, and that the document is well-formed XML.
#include "report/flame_svg.h"

#include <cmath>
#include <map>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "report/flame_fold.h"
#include "support/fixtures.h"

namespace {

using report::FlameBox;
using report::FoldedStacks;

// A minimal well-formedness check, enough for what flame_svg writes: every tag closed in order,
// attributes quoted, no raw '<' or stray '&' in text. Returns the first problem, or nothing.
std::optional<std::string> xml_problem(const std::string& doc) {
  std::vector<std::string> open;
  const std::regex entity("^&(amp|lt|gt|quot|apos|#[0-9]+);");
  for (std::size_t i = 0; i < doc.size();) {
    if (doc[i] == '&') {
      std::smatch m;
      const std::string rest = doc.substr(i, 8);
      if (!std::regex_search(rest, m, entity)) return "stray '&' at " + std::to_string(i);
      i += static_cast<std::size_t>(m.length(0));
      continue;
    }
    if (doc[i] != '<') {
      if (doc[i] == '>') return "stray '>' at " + std::to_string(i);
      ++i;
      continue;
    }
    const auto end = doc.find('>', i);
    if (end == std::string::npos) return "unterminated tag at " + std::to_string(i);
    const std::string tag = doc.substr(i + 1, end - i - 1);
    i = end + 1;
    if (tag.starts_with("?")) continue;  // the XML declaration
    if (tag.find('<') != std::string::npos) return "'<' inside tag " + tag;
    if (std::count(tag.begin(), tag.end(), '"') % 2 != 0) return "unbalanced quotes in " + tag;
    if (tag.starts_with("/")) {
      if (open.empty() || open.back() != tag.substr(1)) return "</" + tag.substr(1) + "> closes nothing open";
      open.pop_back();
      continue;
    }
    const std::string name = tag.substr(0, tag.find_first_of(" /"));
    if (!std::regex_match(name, std::regex("[a-zA-Z][a-zA-Z0-9]*"))) return "bad tag name '" + name + "'";
    if (!tag.ends_with("/")) open.push_back(name);
  }
  if (!open.empty()) return "<" + open.back() + "> never closed";
  return std::nullopt;
}

// Each drawn frame as the SVG says it: the title and its rect's geometry and fill.
struct SvgFrame {
  std::string title;
  double x = 0, width = 0;
  std::string fill;
};

std::vector<SvgFrame> svg_frames(const std::string& svg) {
  std::vector<SvgFrame> frames;
  const std::regex g(
      R"re(<g><title>([^<]*)</title><rect x="([0-9.]+)" y="[0-9.]+" width="([0-9.]+)"[^>]*fill="([^"]+)")re");
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), g); it != std::sregex_iterator(); ++it)
    frames.push_back({(*it)[1], std::stod((*it)[2]), std::stod((*it)[3]), (*it)[4]});
  return frames;
}

// The parent of each box: the nearest box before it one level down (the layout is pre-order).
std::vector<const FlameBox*> parents(const std::vector<FlameBox>& boxes) {
  std::vector<const FlameBox*> out;
  for (std::size_t i = 0; i < boxes.size(); ++i) {
    const FlameBox* parent = nullptr;
    for (std::size_t j = i; j-- > 0;)
      if (boxes[j].depth == boxes[i].depth - 1) {
        parent = &boxes[j];
        break;
      }
    out.push_back(parent);
  }
  return out;
}

FoldedStacks recorded() { return report::fold_perf_script(tbtest::fixture("profile/sync-normal.perf-script.txt")); }

const FlameBox* find_box(const std::vector<FlameBox>& boxes, const std::string& name) {
  for (const auto& b : boxes)
    if (b.name == name) return &b;
  return nullptr;
}

TEST(FlameSvg, TheRootSpansTheWholeWidthLessTheMargins) {
  report::FlameOptions options;
  options.width = 1000;
  const auto boxes = report::flame_layout(recorded(), options);
  ASSERT_FALSE(boxes.empty());
  EXPECT_EQ(boxes.front().name, "all");
  EXPECT_DOUBLE_EQ(boxes.front().width, 980);
  const auto frames = svg_frames(report::flame_svg(recorded(), options));
  ASSERT_EQ(frames.size(), boxes.size());
  EXPECT_TRUE(frames.front().title.starts_with("all (")) << frames.front().title;
  EXPECT_DOUBLE_EQ(frames.front().width, 980);
}

TEST(FlameSvg, AChildIsNeverWiderThanItsParentAndLiesWithinIt) {
  const auto boxes = report::flame_layout(recorded(), {});
  const auto parent_of = parents(boxes);
  ASSERT_GT(boxes.size(), 10u);
  for (std::size_t i = 1; i < boxes.size(); ++i) {
    const auto* parent = parent_of[i];
    ASSERT_NE(parent, nullptr) << boxes[i].name;
    EXPECT_LE(boxes[i].samples, parent->samples) << boxes[i].name;
    EXPECT_LE(boxes[i].width, parent->width + 1e-9) << boxes[i].name;
    EXPECT_GE(boxes[i].x, parent->x - 1e-9) << boxes[i].name;
    EXPECT_LE(boxes[i].x + boxes[i].width, parent->x + parent->width + 1e-6) << boxes[i].name;
  }
}

TEST(FlameSvg, WidthIsProportionalToSamples) {
  const auto boxes = report::flame_layout({{"c;a", 3}, {"c;b", 1}}, {});
  const auto* a = find_box(boxes, "a");
  const auto* b = find_box(boxes, "b");
  ASSERT_TRUE(a && b);
  EXPECT_DOUBLE_EQ(a->width, 3 * b->width);
  EXPECT_DOUBLE_EQ(find_box(boxes, "c")->width, a->width + b->width);
}

TEST(FlameSvg, FramesOfALevelAreInAlphabeticalOrder) {
  const auto boxes = report::flame_layout({{"c;zeta", 5}, {"c;alpha", 1}, {"c;mid", 2}}, {});
  const auto* alpha = find_box(boxes, "alpha");
  const auto* mid = find_box(boxes, "mid");
  const auto* zeta = find_box(boxes, "zeta");
  ASSERT_TRUE(alpha && mid && zeta);
  EXPECT_LT(alpha->x, mid->x);
  EXPECT_LT(mid->x, zeta->x);
  EXPECT_DOUBLE_EQ(mid->x, alpha->x + alpha->width);  // adjacent, no gap
}

TEST(FlameSvg, FramesUnderTheMinimumShareAreNotDrawn) {
  const FoldedStacks folded{{"c;big", 9999}, {"c;tiny", 1}};
  EXPECT_EQ(find_box(report::flame_layout(folded, {}), "tiny"), nullptr);  // 0.01 % < 0.1 %
  report::FlameOptions all;
  all.min_percent = 0;
  EXPECT_NE(find_box(report::flame_layout(folded, all), "tiny"), nullptr);
}

TEST(FlameSvg, TitlesSayNameSamplesAndShare) {
  const auto svg = report::flame_svg({{"c;a", 3}, {"c;b", 1}}, {});
  EXPECT_NE(svg.find("<title>a (3 samples, 75.00%)</title>"), std::string::npos) << svg;
  EXPECT_NE(svg.find("<title>all (4 samples, 100.00%)</title>"), std::string::npos) << svg;
}

TEST(FlameSvg, NamesAreXmlEscaped) {
  const std::string nasty = R"(operator<< <char>(std::ostream&, "x", 'y'))";
  const auto svg = report::flame_svg({{"c;" + nasty, 1}}, {});
  EXPECT_EQ(svg.find(nasty), std::string::npos);
  EXPECT_NE(svg.find("operator&lt;&lt; &lt;char&gt;(std::ostream&amp;, &quot;x&quot;, &apos;y&apos;)"),
            std::string::npos);
  EXPECT_EQ(report::xml_escape(std::string("a\x01") + "b"), "a?b");
}

TEST(FlameSvg, TheDocumentIsWellFormedXml) {
  EXPECT_EQ(xml_problem("<a><b/></a>"), std::nullopt);  // the checker itself can say yes...
  EXPECT_NE(xml_problem("<a><b></a>"), std::nullopt);   // ...and no
  EXPECT_NE(xml_problem("<a>x & y</a>"), std::nullopt);
  report::FlameOptions options;
  options.title = "rows & <labels>";
  EXPECT_EQ(xml_problem(report::flame_svg(recorded(), options)), std::nullopt);
  EXPECT_EQ(xml_problem(report::flame_svg({{"c;a<b>&\"c\"", 1}, {"c;x;y", 2}}, options)), std::nullopt);
  EXPECT_EQ(xml_problem(report::flame_svg({}, options)), std::nullopt);
  EXPECT_TRUE(report::flame_svg(recorded(), options).starts_with("<?xml"));
}

TEST(FlameSvg, KernelAndUserFramesHaveDifferentHuesAndANameAlwaysTheSameShade) {
  const FoldedStacks folded{{"tunfwd;__readv;do_readv_[k]", 2}, {"tunfwd;__writev;do_writev_[k]", 1}};
  std::map<std::string, std::string> fill;
  for (const auto& f : svg_frames(report::flame_svg(folded, {}))) fill[f.title.substr(0, f.title.find(' '))] = f.fill;
  const std::regex rgb(R"(rgb\((\d+),(\d+),(\d+)\))");
  auto blue_over_red = [&](const std::string& name) {
    std::smatch m;
    EXPECT_TRUE(std::regex_match(fill[name], m, rgb)) << name << ": " << fill[name];
    return std::stoi(m[3]) - std::stoi(m[1]);
  };
  EXPECT_GT(blue_over_red("do_readv_[k]"), 0);
  EXPECT_GT(blue_over_red("do_writev_[k]"), 0);
  EXPECT_LT(blue_over_red("__readv"), 0);
  EXPECT_LT(blue_over_red("__writev"), 0);
  EXPECT_NE(fill["__readv"], fill["__writev"]);  // shades differ by name
  // Another graph with the same name: the same colour.
  for (const auto& f : svg_frames(report::flame_svg({{"other;__readv", 7}}, {})))
    if (f.title.starts_with("__readv ")) {
      EXPECT_EQ(f.fill, fill["__readv"]);
    }
}

TEST(FlameSvg, LabelsAreCutToTheirFrame) {
  const std::string long_name(200, 'x');
  const auto svg = report::flame_svg({{"c;" + long_name, 1}, {"c;short", 9}}, {});
  const std::regex text(R"(<text x="[0-9.]+" y="[0-9.]+">(x+)\.\.</text>)");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(svg, m, text)) << "the long name is cut and marked";
  const auto boxes = report::flame_layout({{"c;" + long_name, 1}, {"c;short", 9}}, {});
  const auto* box = find_box(boxes, long_name);
  ASSERT_NE(box, nullptr);
  EXPECT_LE(static_cast<double>(m[1].length() + 2) * 0.59 * 12, box->width);
  EXPECT_NE(svg.find(">short</text>"), std::string::npos);
}

TEST(FlameSvg, NoSamplesGiveAnImageSayingSo) {
  const auto svg = report::flame_svg({}, {});
  EXPECT_TRUE(report::flame_layout({}, {}).empty());
  EXPECT_NE(svg.find("no samples"), std::string::npos);
  EXPECT_EQ(svg.find("<rect x=\"10"), std::string::npos);
}

}  // namespace

#include "report/chart.h"

#include <stdexcept>

#include <fmt/format.h>

#include "harness/command.h"
#include "report/chart_layout.h"
#include "report/json_file.h"
#include "report/summary.h"

namespace report {
namespace {

// Extra room between two groups of bars, in bar widths.
constexpr double kGroupGap = 0.6;

std::string rgb_of(const std::vector<ImplementationColour>& colours, const std::string& implementation) {
  for (const auto& c : colours)
    if (c.implementation == implementation) return c.rgb;
  return kKernelColour;
}

// gnuplot reads "#rrggbb" only in a script; in a data column `lc rgb variable` wants the number.
long rgb_number(const std::string& rgb) { return std::stol(rgb.substr(1), nullptr, 16); }

std::string quoted(std::string text) {
  std::erase(text, '"');  // a data file string cannot hold one
  return '"' + text + '"';
}

struct Bar {
  std::size_t row;  // index into run.rows
  double x;
};

// The bars in chart order with their x positions: one apart within a group, kGroupGap more
// between groups.
std::vector<Bar> bars_of(const harness::RunResult& run) {
  std::vector<Bar> bars;
  double x = 0;
  for (const auto& group : chart_groups(run)) {
    if (!bars.empty()) x += kGroupGap;
    for (const auto i : group) {
      bars.push_back({i, x});
      x += 1;
    }
  }
  return bars;
}

}  // namespace

std::string chart_data(const harness::RunResult& run) {
  const auto colours = implementation_colours(run);
  std::string out = "# x label implementation gbps gbps_min gbps_max ratio cpu_avg colour ok gbps_text ratio_text\n";
  for (const auto& bar : bars_of(run)) {
    const auto& row = run.rows[bar.row];
    const RowSummary s = summarize(row);
    const auto implementation = drawn_implementation(row);
    const bool ok = s.ok > 0;
    const bool ratio = ok && s.ratio;
    // The bar's label in the table's figures (number()), "-" standing for no ratio.
    out +=
        fmt::format("{:.1f} {} {} {:.4f} {:.4f} {:.4f} {:.4f} {:.2f} {} {} {} {}\n", bar.x, quoted(s.label),
                    quoted(implementation), ok ? s.gbps : 0.0, ok ? s.gbps_min : 0.0, ok ? s.gbps_max : 0.0,
                    ratio ? *s.ratio : 0.0, s.forwarder ? s.cpu_avg : 0.0, rgb_number(rgb_of(colours, implementation)),
                    ok ? 1 : 0, quoted(ok ? number(s.gbps) : "failed"), quoted(ratio ? number(*s.ratio) : "-"));
  }
  return out;
}

std::string chart_script(const harness::RunResult& run, const std::filesystem::path& data,
                         const std::filesystem::path& png) {
  const auto bars = bars_of(run);
  const double last = bars.empty() ? 0 : bars.back().x;
  const int width = std::max(800, static_cast<int>(last * 70) + 300);
  // The legend: one empty plot per implementation, so gnuplot draws a key entry in its colour.
  std::string legend;
  for (const auto& c : implementation_colours(run))
    legend += fmt::format(", \\\n     NaN with boxes lc rgb \"{}\" title {}", c.rgb, quoted(c.implementation));
  return fmt::format(
      R"gp(set terminal pngcairo size {w},950 font "sans,10" noenhanced
set output "{png}"
set multiplot layout 2,1 title "tunbench: throughput and CPU per row (bar labels: Gbps, then × the row's kernel baseline of the same pass)"
set style fill solid 0.85 border -1
set grid ytics
set xtics rotate by -35 left
set xrange [-0.7:{right:.1f}]
set yrange [0:*]
set offsets 0, 0, graph 0.18, 0
set ylabel "Gbps (median, min-max bars)"
set bmargin 8
set key outside top center horizontal
plot "{data}" using 1:4:(0.8):9:xtic(2) with boxes lc rgb variable notitle, \
     "{data}" using 1:4:5:6 with yerrorbars lc rgb "#222222" pt -1 notitle, \
     "{data}" using 1:6:(strcol(12) eq "-" ? strcol(11) : strcol(11)."\n×".strcol(12)) with labels offset 0,1.7 notitle{legend}
set ylabel "CPU % of the system under test (100 = one core)"
unset key
plot "{data}" using 1:8:(0.8):9:xtic(2) with boxes lc rgb variable notitle, \
     "{data}" using 1:8:(($8 > 0) ? sprintf("%.0f", $8) : "") with labels offset 0,0.8 notitle
unset multiplot
)gp",
      fmt::arg("w", width), fmt::arg("png", png.string()), fmt::arg("data", data.string()),
      fmt::arg("right", last + 0.7), fmt::arg("legend", legend));
}

void write_chart(const harness::RunResult& run, const std::filesystem::path& png) {
  auto data = png;
  data.replace_extension(".dat");
  auto script = png;
  script.replace_extension(".gp");
  write_text(chart_data(run), data);
  write_text(chart_script(run, data, png), script);
  const auto result = harness::run_command({"gnuplot", script.string()}, {}, std::chrono::seconds(30));
  if (!result.ok())
    throw std::runtime_error(
        fmt::format("gnuplot failed on {}: {}", script.string(), harness::tail_lines(result.err, 5)));
}

}  // namespace report

#include "report/chart.h"

#include <stdexcept>

#include <fmt/format.h>

#include "harness/command.h"
#include "report/json_file.h"
#include "report/summary.h"

namespace report {

std::string chart_data(const harness::RunResult& run) {
  std::string out = "# index label gbps gbps_min gbps_max cpu_avg\n";
  int index = 0;
  for (const auto& row : run.rows) {
    const RowSummary s = summarize(row);
    std::string label = s.label;
    std::erase(label, '"');
    out += fmt::format("{} \"{}\" {:.4f} {:.4f} {:.4f} {:.2f}\n", index++, label, s.ok ? s.gbps : 0.0,
                       s.ok ? s.gbps_min : 0.0, s.ok ? s.gbps_max : 0.0, s.forwarder ? s.cpu_avg : 0.0);
  }
  return out;
}

std::string chart_script(const std::filesystem::path& data, const std::filesystem::path& png, std::size_t rows) {
  const int width = std::max(800, static_cast<int>(rows) * 70 + 200);
  return fmt::format(R"gp(set terminal pngcairo size {w},900 font "sans,10" noenhanced
set output "{png}"
set multiplot layout 2,1 title "tunbench: throughput and forwarder CPU per row"
set style fill solid 0.8 border -1
set boxwidth 0.6
set grid ytics
set xtics rotate by -35 left
set xrange [-0.6:{last}.6]
set yrange [0:*]
set ylabel "Gbps (median, min-max bars)"
set bmargin 8
plot "{data}" using 1:3:xtic(2) with boxes lc rgb "#3a7bd5" notitle, \
     "{data}" using 1:3:4:5 with yerrorbars lc rgb "#222222" pt -1 notitle, \
     "{data}" using 1:3:(sprintf("%.2f", $3)) with labels offset 0,0.8 notitle
set ylabel "forwarder CPU % (100 = one core)"
plot "{data}" using 1:6:xtic(2) with boxes lc rgb "#e07b39" notitle, \
     "{data}" using 1:6:(($6 > 0) ? sprintf("%.0f", $6) : "") with labels offset 0,0.8 notitle
unset multiplot
)gp",
                     fmt::arg("w", width), fmt::arg("png", png.string()), fmt::arg("data", data.string()),
                     fmt::arg("last", rows == 0 ? 0 : rows - 1));
}

void write_chart(const harness::RunResult& run, const std::filesystem::path& png) {
  auto data = png;
  data.replace_extension(".dat");
  auto script = png;
  script.replace_extension(".gp");
  write_text(chart_data(run), data);
  write_text(chart_script(data, png, run.rows.size()), script);
  const auto result = harness::run_command({"gnuplot", script.string()}, {}, std::chrono::seconds(30));
  if (!result.ok())
    throw std::runtime_error(
        fmt::format("gnuplot failed on {}: {}", script.string(), harness::tail_lines(result.err, 5)));
}

}  // namespace report

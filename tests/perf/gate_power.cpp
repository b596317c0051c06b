// gate_power --rows LABEL[,LABEL...] RUN.json [RUN.json...] [--n 10] [--iterations 1000]
//            [--slowdowns 0,5,10] [--tolerances 5] [--alpha 0.05] [--seed 1]
// How often would the gate (harness::compare_metric, the code `tunbench compare` runs) catch a
// slowdown of s %, and how often does it cry wolf? From the real per-repeat samples of the given
// rows (pooled over every file: e.g. both sides of an A/A run of one mode), it repeatedly draws
// n base and n head samples (without replacement when the pool holds 2n, else with), makes the
// head s % worse (throughput × (1 − s/100), CPU per Gbps × (1 + s/100)) and counts the verdicts
// "regressed". s = 0 gives the false-alarm rate; the others, the power.
#include <algorithm>
#include <iostream>
#include <random>
#include <sstream>
#include <string>

#include <fmt/format.h>

#include "harness/gate.h"
#include "report/json_file.h"

namespace {

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> parts;
  std::stringstream in(text);
  for (std::string p; std::getline(in, p, ',');)
    if (!p.empty()) parts.push_back(p);
  return parts;
}

std::vector<double> numbers(const std::string& text) {
  std::vector<double> values;
  for (const auto& p : split(text)) values.push_back(std::stod(p));
  return values;
}

struct Pool {
  std::vector<double> throughput;  // ratio to veth of the same pass
  std::vector<double> cpu_per_gbps;
};

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> rows, files;
  std::size_t n = 10;
  int iterations = 1000;
  std::vector<double> slowdowns{0, 5, 10}, tolerances{5};
  harness::GateOptions gate;
  std::uint64_t seed = 1;
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string arg = argv[i];
      auto value = [&]() -> std::string {
        if (i + 1 >= argc) throw std::runtime_error(arg + " needs a value");
        return argv[++i];
      };
      if (arg == "--rows")
        rows = split(value());
      else if (arg == "--n")
        n = std::stoul(value());
      else if (arg == "--iterations")
        iterations = std::stoi(value());
      else if (arg == "--slowdowns")
        slowdowns = numbers(value());
      else if (arg == "--tolerances")
        tolerances = numbers(value());
      else if (arg == "--alpha")
        gate.alpha = std::stod(value());
      else if (arg == "--seed")
        seed = std::stoull(value());
      else if (arg.starts_with("-"))
        throw std::runtime_error("unknown option " + arg);
      else
        files.push_back(arg);
    }
    if (rows.empty() || files.empty() || n < 2 || iterations < 1) throw std::runtime_error("need --rows and run files");
  } catch (const std::exception& e) {
    std::cerr << "gate_power: " << e.what()
              << "\nusage: gate_power --rows L1,L2 RUN.json... [--n 10] [--iterations 1000] [--slowdowns 0,5,10]"
                 " [--tolerances 5] [--alpha 0.05] [--seed 1]\n";
    return 2;
  }

  Pool pool;
  try {
    for (const auto& f : files) {
      auto run = report::read_json(f);
      run.compute_ratios();
      for (const auto& label : rows)
        if (const auto* row = run.find(label)) {
          for (double r : row->ratios()) pool.throughput.push_back(r);
          for (double c : row->cpu_per_gbps()) pool.cpu_per_gbps.push_back(c);
        }
    }
  } catch (const std::exception& e) {
    std::cerr << "gate_power: " << e.what() << '\n';
    return 2;
  }
  if (pool.throughput.size() < 2 * gate.min_samples) {
    std::cerr << "gate_power: only " << pool.throughput.size() << " samples of those rows\n";
    return 2;
  }

  std::mt19937_64 random(seed);
  std::cout << fmt::format("gate_power: {} vs {} draws, {} iterations, alpha {}\n", n, n, iterations, gate.alpha);
  struct Metric {
    std::string name;
    const std::vector<double>* values;
    bool higher_is_better;
  };
  for (const Metric& m :
       {Metric{"throughput ÷ veth", &pool.throughput, true}, Metric{"CPU/Gbps", &pool.cpu_per_gbps, false}}) {
    const auto& v = *m.values;
    const bool without_replacement = v.size() >= 2 * n;
    std::cout << fmt::format(
        "\n{}: pool of {} samples, median {:.4g}, relative MAD {:.1f} %, min {:.4g}, max {:.4g}; "
        "draws {} replacement\n",
        m.name, v.size(), harness::median(v), 100 * harness::relative_mad(v), harness::minimum(v), harness::maximum(v),
        without_replacement ? "without" : "with");
    std::cout << "| tolerance % | slowdown % | flagged regressed | flagged improved | median applied tolerance % |\n"
                 "|---|---|---|---|---|\n";
    for (double tolerance : tolerances) {
      harness::GateOptions options = gate;
      options.tolerance_percent = tolerance;
      for (double s : slowdowns) {
        int regressed = 0, improved = 0;
        std::vector<double> applied;
        std::uniform_int_distribution<std::size_t> pick(0, v.size() - 1);
        auto shuffled = v;
        for (int it = 0; it < iterations; ++it) {
          std::vector<double> base, head;
          if (without_replacement) {
            std::shuffle(shuffled.begin(), shuffled.end(), random);
            base.assign(shuffled.begin(), shuffled.begin() + static_cast<std::ptrdiff_t>(n));
            head.assign(shuffled.begin() + static_cast<std::ptrdiff_t>(n),
                        shuffled.begin() + static_cast<std::ptrdiff_t>(2 * n));
          } else {
            for (std::size_t k = 0; k < n; ++k) base.push_back(v[pick(random)]);
            for (std::size_t k = 0; k < n; ++k) head.push_back(v[pick(random)]);
          }
          const double factor = m.higher_is_better ? 1 - s / 100 : 1 + s / 100;
          for (double& x : head) x *= factor;
          const auto c = harness::compare_metric(m.name, base, head, m.higher_is_better, options);
          regressed += c.verdict == harness::Verdict::regressed;
          improved += c.verdict == harness::Verdict::improved;
          applied.push_back(c.tolerance_percent);
        }
        std::cout << fmt::format("| {:g} | {:g} | {:.1f} % | {:.1f} % | {:.1f} |\n", tolerance, s,
                                 100.0 * regressed / iterations, 100.0 * improved / iterations,
                                 harness::median(applied));
      }
    }
  }
  return 0;
}

// gate_power --rows LABEL[,LABEL...] RUN.json [RUN.json...] [--n 10] [--iterations 1000]
//            [--slowdowns 0,5,10] [--tolerances 5] [--alpha 0.05] [--seed 1]
// How often would the gate (harness::compare_metric, the code `tunbench compare` runs) catch a
// slowdown of s %, and how often does it cry wolf? From the real per-repeat samples of the given
// rows (pooled over every file: e.g. both sides of an A/A run of one mode), it repeatedly draws
// n base and n head samples (without replacement when the pool holds 2n, else with), makes the
// head s % worse (throughput × (1 − s/100), CPU per Gbps × (1 + s/100)) and counts the verdicts
// "regressed". s = 0 gives the false-alarm rate; the others, the power.
//
// --pair BASE_LABEL,HEAD_LABEL: the paired study instead. The pool is the passes in which both
// rows (the two sides of an A/A run, e.g. base-sync-gso and head-sync-gso of ci/perf-gate.sh)
// have a sample; each iteration draws n passes, slows the head side of each by s %, and judges
// the same draws twice: paired (harness::compare_paired_metric, `tunbench compare --paired`) and
// unpaired (compare_metric). The two columns answer whether pairing raises the gate's power.
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

// Every cell of a study table: the gate's options with each tolerance, judged at each slowdown.
template <typename Cell>
void for_each_cell(const harness::GateOptions& gate, const std::vector<double>& tolerances,
                   const std::vector<double>& slowdowns, const Cell& cell) {
  for (double tolerance : tolerances) {
    harness::GateOptions options = gate;
    options.tolerance_percent = tolerance;
    for (double s : slowdowns) cell(options, s);
  }
}

// A figure made s % worse: throughput down, CPU per Gbps up.
double slowed(double value, double s, bool higher_is_better) {
  return value * (higher_is_better ? 1 - s / 100 : 1 + s / 100);
}

struct Pool {
  std::vector<double> throughput;  // ratio to veth of the same pass
  std::vector<double> cpu_per_gbps;
};

// One pass of an A/A run: both sides' figures.
struct PassPair {
  double base_ratio = 0, head_ratio = 0, base_cpu = 0, head_cpu = 0;
};

std::vector<PassPair> pass_pairs(const std::vector<std::string>& files, const std::string& base_label,
                                 const std::string& head_label) {
  std::vector<PassPair> pairs;
  for (const auto& f : files) {
    auto run = report::read_json(f);
    run.compute_ratios();
    const auto* base = run.find(base_label);
    const auto* head = run.find(head_label);
    if (!base || !head) throw std::runtime_error(f + ": no rows " + base_label + " and " + head_label);
    for (const auto* b : base->ok_samples())
      for (const auto* h : head->ok_samples())
        if (b->pass == h->pass && b->ratio > 0 && h->ratio > 0 && b->iperf.gbps > 0 && h->iperf.gbps > 0)
          pairs.push_back({b->ratio, h->ratio, b->monitor.cpu_avg / b->iperf.gbps, h->monitor.cpu_avg / h->iperf.gbps});
  }
  return pairs;
}

void paired_study(const std::vector<PassPair>& pool, std::size_t n, int iterations,
                  const std::vector<double>& slowdowns, const std::vector<double>& tolerances,
                  const harness::GateOptions& gate, std::mt19937_64& random) {
  std::cout << fmt::format(
      "gate_power: paired, {} passes per draw from a pool of {} (without replacement), {} iterations, alpha {}\n", n,
      pool.size(), iterations, gate.alpha);
  for (const bool throughput : {true, false}) {
    std::vector<double> ratios;
    for (const auto& p : pool) ratios.push_back(throughput ? p.head_ratio / p.base_ratio : p.head_cpu / p.base_cpu);
    std::cout << fmt::format("\n{}: per-pass head ÷ base median {:.4f}, relative MAD {:.1f} %\n",
                             throughput ? "throughput ÷ veth" : "CPU/Gbps", harness::median(ratios),
                             100 * harness::relative_mad(ratios));
    std::cout << "| tolerance % | slowdown % | paired: flagged regressed | unpaired: flagged regressed | paired: "
                 "flagged improved | unpaired: flagged improved |\n|---|---|---|---|---|---|\n";
    for_each_cell(gate, tolerances, slowdowns, [&](const harness::GateOptions& options, double s) {
      int regressed[2] = {0, 0}, improved[2] = {0, 0};
      auto shuffled = pool;
      for (int it = 0; it < iterations; ++it) {
        std::shuffle(shuffled.begin(), shuffled.end(), random);
        std::vector<double> base, head;
        for (std::size_t k = 0; k < n; ++k) {
          const auto& p = shuffled[k];
          base.push_back(throughput ? p.base_ratio : p.base_cpu);
          head.push_back(slowed(throughput ? p.head_ratio : p.head_cpu, s, throughput));
        }
        const auto paired = harness::compare_paired_metric("m", base, head, throughput, options);
        const auto unpaired = harness::compare_metric("m", base, head, throughput, options);
        int k = 0;
        for (const auto* c : {&paired, &unpaired}) {
          regressed[k] += c->verdict == harness::Verdict::regressed;
          improved[k] += c->verdict == harness::Verdict::improved;
          ++k;
        }
      }
      std::cout << fmt::format("| {:g} | {:g} | {:.1f} % | {:.1f} % | {:.1f} % | {:.1f} % |\n",
                               options.tolerance_percent, s, 100.0 * regressed[0] / iterations,
                               100.0 * regressed[1] / iterations, 100.0 * improved[0] / iterations,
                               100.0 * improved[1] / iterations);
    });
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> rows, files, pair;
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
      else if (arg == "--pair")
        pair = split(value());
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
    if (!pair.empty() && pair.size() != 2) throw std::runtime_error("--pair needs BASE_LABEL,HEAD_LABEL");
    if ((rows.empty() && pair.empty()) || files.empty() || n < 2 || iterations < 1)
      throw std::runtime_error("need --rows or --pair, and run files");
  } catch (const std::exception& e) {
    std::cerr << "gate_power: " << e.what()
              << "\nusage: gate_power (--rows L1,L2 | --pair BASE,HEAD) RUN.json... [--n 10] [--iterations 1000] "
                 "[--slowdowns 0,5,10]"
                 " [--tolerances 5] [--alpha 0.05] [--seed 1]\n";
    return 2;
  }

  if (!pair.empty()) {
    try {
      const auto pool = pass_pairs(files, pair[0], pair[1]);
      // Draws with replacement would repeat passes inside one draw: identical pairs agree in
      // sign, which the signed-rank test takes for evidence (27 % false alarms measured that way).
      if (pool.size() < 2 * n || n < gate.min_pairs) {
        std::cerr << "gate_power: --pair needs at least 2 x --n passes with both rows (draws without replacement) "
                     "and --n >= "
                  << gate.min_pairs << "; have " << pool.size() << " passes, --n " << n << '\n';
        return 2;
      }
      std::mt19937_64 random(seed);
      paired_study(pool, n, iterations, slowdowns, tolerances, gate, random);
      return 0;
    } catch (const std::exception& e) {
      std::cerr << "gate_power: " << e.what() << '\n';
      return 2;
    }
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
    for_each_cell(gate, tolerances, slowdowns, [&](const harness::GateOptions& options, double s) {
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
        for (double& x : head) x = slowed(x, s, m.higher_is_better);
        const auto c = harness::compare_metric(m.name, base, head, m.higher_is_better, options);
        regressed += c.verdict == harness::Verdict::regressed;
        improved += c.verdict == harness::Verdict::improved;
        applied.push_back(c.tolerance_percent);
      }
      std::cout << fmt::format("| {:g} | {:g} | {:.1f} % | {:.1f} % | {:.1f} |\n", options.tolerance_percent, s,
                               100.0 * regressed / iterations, 100.0 * improved / iterations, harness::median(applied));
    });
  }
  return 0;
}

#include "harness/iperf.h"

#include <thread>

#include <fmt/format.h>

#include "harness/command.h"
#include "harness/interrupt.h"
#include "harness/process.h"
#include "harness/run_state.h"

namespace harness {

bool port_in_use(const std::string& netns, int port) {
  const auto out = run_command({"ss", "-Hltn", fmt::format("sport = :{}", port)}, netns);
  return out.ok() && out.out.find(fmt::format(":{}", port)) != std::string::npos;
}

Iperf::Iperf(IperfPath path, IperfOptions options, std::filesystem::path log_dir, RunState* state)
    : path_(std::move(path)), options_(std::move(options)), log_dir_(std::move(log_dir)), state_(state) {}

void Iperf::wait_until_listening(Process& server) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!port_in_use(path_.server_ns, options_.port)) {
    throw_if_interrupted();
    if (!server.running())
      throw std::runtime_error(fmt::format("iperf3 server exited ({}): {}", server.exit_status().value_or(-1),
                                           tail_lines(read_file((log_dir_ / "iperf3-server.json").string()), 5)));
    if (std::chrono::steady_clock::now() > deadline)
      throw std::runtime_error("iperf3 server did not start listening within 5 s");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

std::vector<std::string> client_argv(const IperfPath& path, const IperfOptions& options, int port) {
  std::vector<std::string> argv{"iperf3",
                                "-c",
                                path.server_address,
                                "-p",
                                std::to_string(port),
                                "-t",
                                std::to_string(options.duration_s),
                                "-J",
                                "--connect-timeout",
                                "3000"};
  if (options.parallel > 1) argv.insert(argv.end(), {"-P", std::to_string(options.parallel)});
  if (options.udp) {
    argv.insert(argv.end(), {"-u", "-b", options.udp_rate});
    if (options.udp_length > 0) argv.insert(argv.end(), {"-l", std::to_string(options.udp_length)});
  }
  if (options.reverse) argv.push_back("-R");
  return argv;
}

IperfResult Iperf::run(const Tick& tick, const std::function<void()>& on_started) {
  const std::string port = std::to_string(options_.port);
  if (port_in_use(path_.server_ns, options_.port))
    throw std::runtime_error(fmt::format("port {} is already in use in {}", port, path_.server_ns));

  Process server = Process::spawn({{"iperf3", "-s", "-1", "-J", "-p", port},
                                   path_.server_ns,
                                   log_dir_ / "iperf3-server.json",
                                   log_dir_ / "iperf3-server.err"});
  TrackedChild server_tracked(state_, server.pid());
  wait_until_listening(server);

  const auto argv = client_argv(path_, options_, options_.port);
  const auto client_out = log_dir_ / "iperf3-client.json";
  Process client = Process::spawn({argv, path_.client_ns, client_out, log_dir_ / "iperf3-client.err"});
  TrackedChild client_tracked(state_, client.pid());
  if (on_started) on_started();

  // The client ends by itself after the duration; the margin covers connection set-up and the
  // final exchange of results. Past it the path is considered stuck.
  const auto start = std::chrono::steady_clock::now();
  const auto limit = std::chrono::seconds(options_.duration_s + 20);
  while (!client.wait_for(std::chrono::milliseconds(1000))) {
    const auto elapsed = std::chrono::steady_clock::now() - start;
    if (elapsed > limit) {
      client.stop();
      throw std::runtime_error(
          fmt::format("iperf3 client did not finish within {} s: the path is stuck", options_.duration_s + 20));
    }
    if (tick)
      tick(std::max<int>(0, options_.duration_s -
                                static_cast<int>(std::chrono::duration_cast<std::chrono::seconds>(elapsed).count())));
  }
  server.wait_for(std::chrono::milliseconds(2000));
  const std::string report = read_file(client_out.string());
  if (report.empty())
    throw std::runtime_error(fmt::format("iperf3 client exited with {} and no report: {}",
                                         client.exit_status().value_or(-1),
                                         tail_lines(read_file((log_dir_ / "iperf3-client.err").string()), 5)));
  return parse_iperf_json(report);
}

}  // namespace harness

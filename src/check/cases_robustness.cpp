// The robustness cases (docs/check.md, "robustness-*"): what the forwarder does when told to
// stop in the middle of its work, when a receiver stops taking what it forwards, and when a
// device disappears under it.
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>

#include <fmt/format.h>

#include "check/cases.h"
#include "check/netns.h"
#include "check/socket_address.h"
#include "check/tcp_stream.h"
#include "check/udp_counters.h"
#include "check/udp_datagrams.h"
#include "harness/command.h"
#include "harness/interrupt.h"
#include "harness/proc_parse.h"
#include "harness/process.h"

namespace check::cases {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

milliseconds since(Clock::time_point t0) { return std::chrono::duration_cast<milliseconds>(Clock::now() - t0); }

bool has_forwarder(const Target& t, Verdict& v) {
  if (t.forwarder != nullptr && t.forwarder->pid() > 0) return true;
  v.not_applicable("no forwarder process to watch");
  return false;
}

// A TCP upload that runs until aborted, once it is under way (1 MB crossed), so the forwarder
// is busy moving data when the case acts. No stream (and the verdict failed) when it never got
// going.
struct BusyTransfer {
  std::unique_ptr<TcpStream> stream;
  std::uint64_t crossed = 0;
};
BusyTransfer start_busy_transfer(const Target& t, std::uint64_t seed, Verdict& v) {
  StreamOptions o;
  o.client_ns = t.client.ns;
  o.server_ns = t.server.ns;
  o.server_address = t.server.address;
  o.port = t.port;
  o.up = std::uint64_t{1} << 40;  // more than can cross before the case acts
  o.seed = seed;
  o.timeout = t.transfer_timeout;
  BusyTransfer b{std::make_unique<TcpStream>(o), 0};
  constexpr std::uint64_t kUnderWay = 1 << 20;
  if (!b.stream->wait_for_up(kUnderWay)) {
    harness::throw_if_interrupted();
    v.fail(fmt::format("the transfer never got under way: {} bytes crossed", b.stream->received_up()));
    b.stream->abort();
    b.stream.reset();
    return b;
  }
  b.crossed = b.stream->received_up();
  return b;
}

// CPU time of a process, every thread included (utime + stime of /proc/PID/stat), in clock
// ticks; nullopt once it is gone.
std::optional<std::uint64_t> cpu_ticks(pid_t pid) {
  const auto stat = harness::parse_pid_stat(harness::read_file(fmt::format("/proc/{}/stat", pid)));
  if (!stat) return std::nullopt;
  return stat->cpu_ticks();
}

std::uintmax_t size_of(const std::filesystem::path& p) {
  std::error_code ec;
  const auto n = std::filesystem::file_size(p, ec);
  return ec ? 0 : n;
}

// What the forwarder wrote to stderr after byte `from`.
std::string stderr_since(const Target& t, std::uintmax_t from) {
  const auto text = harness::read_file(t.forwarder_stderr.string());
  return from < text.size() ? text.substr(from) : std::string();
}

std::string trimmed(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  const auto first = s.find_first_not_of(" \t\r\n");
  return first == std::string::npos ? std::string() : s.substr(first);
}

// "exited with status 1" / "killed by signal 11 (Segmentation fault)".
std::string describe_exit(int status) {
  if (status > 128) return fmt::format("killed by signal {} ({})", status - 128, ::strsignal(status - 128));
  return fmt::format("exited with status {}", status);
}

// A report of AddressSanitizer, LeakSanitizer, UBSan (…) in the forwarder's output.
bool sanitizer_report(const std::string& text) {
  return text.find("Sanitizer") != std::string::npos || text.find("runtime error:") != std::string::npos;
}

}  // namespace

Verdict robustness_sigterm(const Target& t) {
  Verdict v;
  if (!has_forwarder(t, v)) return v;
  auto busy = start_busy_transfer(t, 0x5349'4754'4552'4dull, v);
  if (!busy.stream) return v;
  const auto t0 = Clock::now();
  ::kill(t.forwarder->pid(), SIGTERM);
  constexpr milliseconds kBound(1000);
  const bool exited = t.forwarder->wait_for(milliseconds(5000));
  const auto elapsed = since(t0);
  busy.stream->abort();
  v.figures()["bytes_before_signal"] = busy.crossed;
  if (!exited) {
    v.fail("still running 5000 ms after SIGTERM");
    return v;
  }
  v.figures()["exit_ms"] = elapsed.count();
  v.figures()["exit_status"] = t.forwarder->exit_status().value_or(-1);
  v.note(fmt::format("SIGTERM after {} bytes; exited in {} ms with status {}", busy.crossed, elapsed.count(),
                     t.forwarder->exit_status().value_or(-1)));
  if (elapsed > kBound)
    v.fail(fmt::format("exited {} ms after SIGTERM (the bound is {} ms)", elapsed.count(), kBound.count()));
  return v;
}

Verdict robustness_receiver_stopped(const Target& t) {
  Verdict v;
  if (!has_forwarder(t, v)) return v;
  const pid_t pid = t.forwarder->pid();
  // The receiver: a socket that exists (no ICMP port unreachable) and is never read. Its small
  // buffer is full within the first milliseconds; after that the kernel drops what arrives.
  const auto to = socket_address(t.server.address, t.port);
  auto stopped = socket_in(t.server.ns, AF_INET, SOCK_DGRAM, 0);
  const int small = 64 << 10;
  ::setsockopt(stopped.get(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  if (::bind(stopped.get(), to.get(), to.length) != 0)
    throw std::runtime_error(fmt::format("bind {} port {}: {}", t.server.address, t.port, std::strerror(errno)));
  auto sender = socket_in(t.client.ns, AF_INET, SOCK_DGRAM, 0);
  if (::connect(sender.get(), to.get(), to.length) != 0)
    throw std::runtime_error(fmt::format("connect to {} port {}: {}", t.server.address, t.port, std::strerror(errno)));
  const auto dropped_before = udp_counter(t.server.ns, "RcvbufErrors");

  // The burst: as fast as this thread can send, for kBurst.
  constexpr milliseconds kBurst(500);
  const std::vector<std::uint8_t> payload(std::min<std::size_t>(1200, t.client.mtu - 28), 0x5A);
  std::uint64_t sent = 0, refused = 0;
  const auto t0 = Clock::now();
  while (since(t0) < kBurst) {
    harness::throw_if_interrupted();
    for (int i = 0; i < 64; ++i) {
      // A full device queue makes the kernel drop, not block; DONTWAIT only keeps the pace
      // bounded if a send buffer ever fills.
      if (::send(sender.get(), payload.data(), payload.size(), MSG_DONTWAIT) >= 0)
        ++sent;
      else
        ++refused;
    }
  }
  const double burst_s = std::chrono::duration<double>(Clock::now() - t0).count();
  const auto dropped_after = udp_counter(t.server.ns, "RcvbufErrors");
  auto& fig = v.figures();
  fig["burst_datagrams"] = sent;
  fig["burst_refused_by_sender"] = refused;
  fig["burst_seconds"] = burst_s;
  fig["burst_mbit_per_s"] = static_cast<double>(sent * payload.size()) * 8 / burst_s / 1e6;
  std::string dropped_text = "unknown";
  if (dropped_before && dropped_after) {
    fig["receiver_buffer_drops"] = *dropped_after - *dropped_before;
    dropped_text = std::to_string(*dropped_after - *dropped_before);
  }

  // The idle window: after kGrace for what was still queued, the forwarder's CPU time over
  // kWindow. A forwarder that waits for its devices uses next to none; one that busy-loops
  // (retrying a full queue, polling without sleeping) a whole CPU or more.
  constexpr milliseconds kGrace(100), kWindow(300);
  constexpr double kMaxIdlePercent = 10;
  if (t.forwarder->wait_for(kGrace)) {
    v.fail(fmt::format("the forwarder {} after the burst of {} datagrams",
                       describe_exit(t.forwarder->exit_status().value_or(-1)), sent));
    return v;
  }
  const auto ticks0 = cpu_ticks(pid);
  const auto w0 = Clock::now();
  const bool died = t.forwarder->wait_for(kWindow);
  const auto ticks1 = cpu_ticks(pid);
  const double window_s = std::chrono::duration<double>(Clock::now() - w0).count();
  if (died || !ticks0 || !ticks1) {
    v.fail(fmt::format("the forwarder {} after the burst of {} datagrams",
                       describe_exit(t.forwarder->exit_status().value_or(-1)), sent));
    return v;
  }
  const double cpu_s = static_cast<double>(*ticks1 - *ticks0) / static_cast<double>(::sysconf(_SC_CLK_TCK));
  const double idle_percent = 100 * cpu_s / window_s;
  fig["idle_window_ms"] = static_cast<int>(window_s * 1000);
  fig["idle_cpu_ms"] = static_cast<int>(cpu_s * 1000);
  fig["idle_cpu_percent"] = idle_percent;
  if (idle_percent > kMaxIdlePercent)
    v.fail(
        fmt::format("the forwarder used {:.0f} % of a CPU ({:.0f} ms in {:.0f} ms) while idle after the burst "
                    "(the bound is {:.0f} %): a busy loop",
                    idle_percent, cpu_s * 1000, window_s * 1000, kMaxIdlePercent));

  // Still forwarding: a few datagrams each way, to sockets that read.
  std::size_t intact = 0, expected = 0;
  for (const bool up : {true, false}) {
    const Side& from = up ? t.client : t.server;
    const Side& dest = up ? t.server : t.client;
    DatagramOptions o;
    o.from_ns = from.ns;
    o.to_ns = dest.ns;
    o.to_address = dest.address;
    o.port = static_cast<std::uint16_t>(t.port + (up ? 1 : 2));
    o.sends = one_at_a_time({0, 100, 1000, std::min(t.client.mtu, t.server.mtu) - 28});
    o.seed = 0x5354'4f50ull + t.port + (up ? 0 : 1);
    const auto r = exchange_datagrams(o);
    intact += r.intact;
    expected += r.datagrams;
    if (!r.ok())
      v.fail(fmt::format("after the burst, datagrams {}: {} of {} intact; first: {}",
                         up ? "client→server" : "server→client", r.intact, r.datagrams,
                         r.problems.empty() ? "?" : r.problems.front()));
  }
  fig["after_datagrams_intact"] = intact;
  v.note(
      fmt::format("burst: {} datagrams of {} bytes in {:.2f} s ({:.0f} Mbit/s), {} dropped by the full receiver "
                  "buffer; idle after: {:.0f} ms of CPU in {:.0f} ms ({:.1f} %); then {} of {} datagrams intact",
                  sent, payload.size(), burst_s, fig["burst_mbit_per_s"].get<double>(), dropped_text, cpu_s * 1000,
                  window_s * 1000, idle_percent, intact, expected));
  return v;
}

Verdict robustness_tun_deleted(const Target& t) {
  Verdict v;
  if (!has_forwarder(t, v)) return v;
  auto busy = start_busy_transfer(t, 0x4445'4c45'5445ull, v);
  if (!busy.stream) return v;
  const auto said_before = size_of(t.forwarder_stderr);
  // The receiving device, where the harness put it: the server's namespace.
  const auto t0 = Clock::now();
  const auto del = harness::run_command({"ip", "-n", t.server.ns, "link", "del", t.server.device});
  if (!del.ok()) {
    busy.stream->abort();
    v.fail(fmt::format("could not delete {} in {}: {}", t.server.device, t.server.ns, trimmed(del.err)));
    return v;
  }
  constexpr milliseconds kBound(2000), kPatience(5000);
  const bool exited = t.forwarder->wait_for(kPatience);
  const auto elapsed = since(t0);
  busy.stream->abort();
  const auto said = trimmed(stderr_since(t, said_before));
  const auto tail = harness::tail_lines(said, 5);
  v.figures()["bytes_before_delete"] = busy.crossed;
  if (!exited) {
    v.fail(fmt::format("still running {} ms after {} was deleted{}", kPatience.count(), t.server.device,
                       said.empty() ? " (nothing on stderr)" : "; stderr: " + tail));
    return v;
  }
  const int status = t.forwarder->exit_status().value_or(-1);
  v.figures()["exit_ms"] = elapsed.count();
  v.figures()["exit_status"] = status;
  v.note(fmt::format("{} deleted after {} bytes; {} in {} ms; stderr: {}", t.server.device, busy.crossed,
                     describe_exit(status), elapsed.count(), said.empty() ? "(nothing)" : tail));
  if (status > 128) v.fail(fmt::format("{} after {} was deleted", describe_exit(status), t.server.device));
  if (sanitizer_report(said)) v.fail(fmt::format("a sanitizer report on stderr: {}", tail));
  if (elapsed > kBound)
    v.fail(fmt::format("exited {} ms after {} was deleted (the bound is {} ms)", elapsed.count(), t.server.device,
                       kBound.count()));
  if (said.empty()) v.fail(fmt::format("{}, but said nothing on stderr", describe_exit(status)));
  return v;
}

}  // namespace check::cases

// `tunbench offload split|coalesce IN.pcap OUT.pcap`: runs the offload engine over pcap files.
// Exit status: 0 all records processed, 3 some records rejected (each named on stderr as
// "record N: rejected: REASON"), 2 bad input (the input missing, not a pcap, the wrong link
// type; a bad command line), 1 an I/O error (the output cannot be written).
#include <cstdio>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "pcapio/link_type.h"
#include "pcapio/offload_tool.h"
#include "pcapio/pcap_error.h"
#include "tunbench/commands.h"

namespace tunbench_app {

namespace {

constexpr int kExitRejected = 3;

struct OffloadArgs {
  std::string in;
  std::string out;
  std::size_t batch = 0;
};

int finish(const char* verb, const pcapio::ToolReport& report) {
  for (const auto& r : report.rejected) fmt::print(stderr, "record {}: rejected: {}\n", r.record, r.reason);
  fmt::print("{}: {} records in, {} records out, {} rejected\n", verb, report.records_in, report.records_out,
             report.rejected.size());
  return report.rejected.empty() ? kExitOk : kExitRejected;
}

// Runs one tool with the error policy of the command: an input that cannot be read as a pcap of
// link type `in_dlt` is bad input; any other PcapError an I/O failure.
template <class Fn>
int run_tool(const char* verb, const OffloadArgs& a, int in_dlt, int out_dlt, Fn&& tool) {
  std::unique_ptr<pcapio::PcapReader> in;
  try {
    in = std::make_unique<pcapio::PcapReader>(a.in);
    pcapio::require_link_type(a.in, in->linktype(), in_dlt, verb);
  } catch (const pcapio::PcapError& e) {
    fmt::print(stderr, "tunbench offload {}: {}\n", verb, e.what());
    return kExitBadInput;
  }
  bool created = false;
  try {
    pcapio::PcapWriter out(a.out, out_dlt);
    created = true;
    const auto report = tool(*in, out);
    out.close();
    return finish(verb, report);
  } catch (const pcapio::PcapError& e) {
    fmt::print(stderr, "tunbench offload {}: {}\n", verb, e.what());
    // A half-written output would look like a valid (short) result to the next tool.
    if (created) std::remove(a.out.c_str());
    return kExitFailure;
  }
}

}  // namespace

void add_offload_command(CLI::App& app, int* exit_code) {
  auto* offload = app.add_subcommand("offload", "Run the offload engine over pcap files (docs/offload.md §11)");
  offload->require_subcommand(1);
  auto args = std::make_shared<OffloadArgs>();

  auto* split = offload->add_subcommand(
      "split", "GSO split: USER0 records (vnet header + super-packet) -> RAW segments with complete checksums");
  split->add_option("IN", args->in, "input pcap, link type USER0 (147)")->required();
  split->add_option("OUT", args->out, "output pcap, link type RAW (101)")->required();
  split->callback([args, exit_code] {
    *exit_code = run_tool("split", *args, pcapio::kLinkUser0, pcapio::kLinkRaw,
                          [](pcapio::PcapReader& in, pcapio::PcapWriter& out) { return pcapio::split_pcap(in, out); });
  });

  auto* coalesce = offload->add_subcommand(
      "coalesce", "GRO coalesce: RAW packets -> USER0 records, one per write the table would make");
  coalesce->add_option("IN", args->in, "input pcap, link type RAW (101)")->required();
  coalesce->add_option("OUT", args->out, "output pcap, link type USER0 (147)")->required();
  coalesce->add_option("--batch", args->batch, "packets per coalesce() call; 0 = the whole file")
      ->check(CLI::NonNegativeNumber);
  coalesce->callback([args, exit_code] {
    const std::size_t batch = args->batch;
    *exit_code = run_tool(
        "coalesce", *args, pcapio::kLinkRaw, pcapio::kLinkUser0,
        [batch](pcapio::PcapReader& in, pcapio::PcapWriter& out) { return pcapio::coalesce_pcap(in, out, batch); });
  });
}

}  // namespace tunbench_app

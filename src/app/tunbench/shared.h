#pragma once
// What the tunbench subcommands that bring systems up share: finding tunfwd, the tunfwd and
// --forwarder descriptions, the checks before anything starts, and the countdown on stderr.
#include <string>
#include <utility>

#include "harness/sut.h"

namespace tunbench_app {

// The binary `name` (tunfwd, tunstack) to run: `given`, else the one next to tunbench in the
// build tree (build/src/app/{tunbench,tunfwd,tunstack}); "" when there is none.
std::string find_binary(const std::string& name, const std::string& given);
inline std::string find_tunfwd(const std::string& given) { return find_binary("tunfwd", given); }

// LABEL=REST with both parts non-empty; throws std::invalid_argument naming `option` otherwise.
std::pair<std::string, std::string> label_and(const std::string& spec, const std::string& option,
                                              const std::string& rest);

// tunfwd in `mode` as a system under test: it writes its counters where the harness reads them.
// Implementation "tunbench" (ours) in that mode.
harness::SutSpec tunfwd_sut(const std::string& tunfwd, const std::string& mode);
// Another project's forwarder given as a shell command (--forwarder 'LABEL=CMD ARGS'), its
// implementation and mode read from LABEL (harness/label.h: 'tun-rs/sync-gso' is tun-rs in
// sync-gso); throws std::invalid_argument naming a label that breaks that rule.
harness::SutSpec command_forwarder_sut(const std::string& label, const std::string& command);
// A row of `option` (--forwarder, --sut, --stack): a description that names no implementation is
// named by its label, by the same rule. Throws like command_forwarder_sut, naming `option`.
harness::SutSpec named_by_label(harness::SutSpec sut, const std::string& label, const std::string& option);

// Root, iperf3 and (when `tun`) /dev/net/tun; throws std::runtime_error saying what is missing.
void preflight(const std::string& subcommand, bool tun);

// A one-line countdown on stderr, redrawn in place (only on a terminal).
class Progress {
 public:
  void show(const std::string& text);
  void clear();

 private:
  bool shown_ = false;
};

}  // namespace tunbench_app

// Bad input to every tunbench subcommand, as a user meets it (README.md, "Exit status"): a wrong
// command line, an unknown name, a missing file or one of the wrong format is refused before
// anything starts, with exit status 2 and exactly one line on stderr that names the command and
// what was wrong. No case needs root: nothing may start. (`tunbench offload`'s own contract,
// exit 3 for rejected records included, is tests/unit/fixtures/offload_cli_test.cpp.)
#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/cli_run.h"
#include "support/scratch_dir.h"
#include "support/test_names.h"

namespace {

struct BadInput {
  const char* name;
  std::vector<std::string> args;  // "NOT_JSON" and "EMPTY_OBJECT" become scratch files of that content
  std::string line_starts;        // the one line on stderr starts so
};

void PrintTo(const BadInput& c, std::ostream* os) { *os << c.name; }

std::vector<BadInput> cases() {
  return {
      {"NoSubcommand", {}, "tunbench: A subcommand is required"},
      {"RunUnknownMode", {"run", "--modes", "no-such-mode"}, "tunbench run: unknown mode 'no-such-mode' (tunfwd has: "},
      {"RunUnknownBaseline", {"run", "--baselines", "nope"}, "tunbench run: --baselines: unknown baseline 'nope'"},
      {"RunRepeatOutOfRange", {"run", "--repeat", "0"}, "tunbench run: --repeat: Value 0 not in range 1 to 1000"},
      {"RunForwarderWithoutLabel", {"run", "--forwarder", "nolabel"}, "tunbench run: --forwarder expects 'LABEL="},
      {"CheckUnknownMode", {"check", "--modes", "no-such-mode"}, "tunbench check: unknown mode 'no-such-mode'"},
      {"CheckCasePatternMatchingNothing", {"check", "--cases", "zzz*"}, "tunbench check: --cases: 'zzz*' matches no"},
      {"CheckBulkOutOfRange", {"check", "--bulk-mb", "0"}, "tunbench check: --bulk-mb: 1 to 4096"},
      {"SoakUnknownMode", {"soak", "--mode", "no-such-mode"}, "tunbench soak: unknown mode 'no-such-mode'"},
      {"SoakDurationOutOfRange", {"soak", "--duration", "0"}, "tunbench soak: --duration: Value 0 not in range"},
      {"CalibrateUnexpectedArgument", {"calibrate", "stray"}, "tunbench calibrate: The following argument was not"},
      {"CompareMissingFile",
       {"compare", "/nonexistent/a.json", "/nonexistent/b.json"},
       "tunbench compare: BASE: File does not exist: /nonexistent/a.json"},
      {"CompareNotJson", {"compare", "NOT_JSON", "NOT_JSON"}, "tunbench compare: "},
      {"ReportNotJson", {"report", "NOT_JSON"}, "tunbench report: "},
      {"ReportJsonThatIsNoRun", {"report", "EMPTY_OBJECT"}, "tunbench report: "},
      {"CleanupUnexpectedArgument", {"cleanup", "extra"}, "tunbench cleanup: The following argument was not"},
      {"ListUnknownFlag", {"list", "--bogus"}, "tunbench list: The following argument was not expected: --bogus"},
  };
}

class TunbenchBadInput : public testing::TestWithParam<BadInput> {};

TEST_P(TunbenchBadInput, ExitsTwoWithOneLineNamingTheCommandAndTheProblem) {
#ifndef TUNBENCH_BIN
  GTEST_SKIP() << "tunbench is not built in this configuration";
#else
  const auto& c = GetParam();
  tbtest::ScratchDir dir("tbcli");
  const std::string not_json = dir.file("not.json"), empty_object = dir.file("empty.json");
  { std::ofstream(not_json) << "hello\n"; }
  { std::ofstream(empty_object) << "{}\n"; }
  auto args = c.args;
  for (auto& a : args) {
    if (a == "NOT_JSON") a = not_json;
    if (a == "EMPTY_OBJECT") a = empty_object;
  }
  const auto out = tbtest::run_cli(TUNBENCH_BIN, args, dir.file("stderr.txt"));
  EXPECT_EQ(out.status, 2) << out.err;
  ASSERT_FALSE(out.err.empty());
  EXPECT_EQ(out.err.find('\n'), out.err.size() - 1) << "exactly one line: " << out.err;
  EXPECT_TRUE(out.err.starts_with(c.line_starts)) << out.err;
  // A file of the wrong format is named, with what is wrong with it.
  for (const auto* file : {&not_json, &empty_object}) {
    if (std::find(args.begin(), args.end(), *file) == args.end()) continue;
    EXPECT_NE(out.err.find(*file + ": not a tunbench run file ("), std::string::npos) << out.err;
  }
#endif
}

INSTANTIATE_TEST_SUITE_P(Subcommands, TunbenchBadInput, testing::ValuesIn(cases()), tbtest::case_name);

}  // namespace

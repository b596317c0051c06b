// Verdicts and the check report (check/verdict.h, check/check_report.h): how findings become a
// status, the exit code, the per-case line, the JSON format and the markdown.
#include <gtest/gtest.h>

#include "check/check_report.h"

namespace {

using check::Status;

check::CaseResult result(const std::string& name, Status s) {
  check::CaseResult r{name, {}, 0.5};
  if (s == Status::kFail) {
    r.verdict.fail("stream client→server: 10 of 20 bytes, no end of stream");
    r.verdict.fail("l4-checksum: 3 packet(s) written break it; first: tun22: …");
  }
  if (s == Status::kNotApplicable) r.verdict.not_applicable("no forwarder process to signal");
  r.verdict.note("a note | with a pipe");
  return r;
}

TEST(Verdict, NoFindingIsAPass) { EXPECT_EQ(check::Verdict{}.status(), Status::kPass); }

TEST(Verdict, AFailureWinsOverNotApplicable) {
  check::Verdict v;
  v.not_applicable("no GSO");
  EXPECT_EQ(v.status(), Status::kNotApplicable);
  v.fail("broken");
  EXPECT_EQ(v.status(), Status::kFail);
}

TEST(Verdict, NotesDoNotFail) {
  check::Verdict v;
  v.note("4194304 bytes in 0.1 s");
  EXPECT_EQ(v.status(), Status::kPass);
}

TEST(CheckReport, ExitCodeIsOneOnAFailureAndTwoOnASetupError) {
  check::CheckReport r;
  r.systems.push_back({"sync-gso", "", {result("a", Status::kPass), result("b", Status::kNotApplicable)}, ""});
  EXPECT_EQ(r.exit_code(), 0);
  r.systems[0].cases.push_back(result("c", Status::kFail));
  EXPECT_EQ(r.exit_code(), 1);
  r.systems.push_back({"broken", "forwarder exited with status 3", {}, ""});
  EXPECT_EQ(r.exit_code(), 2);
}

TEST(CheckReport, CaseLineShowsVerdictSystemCaseAndFirstEvidence) {
  EXPECT_EQ(check::case_line("sync-gso", result("udp-v4", Status::kPass)), "PASS  sync-gso  udp-v4");
  EXPECT_EQ(check::case_line("x", result("tcp-v4-bulk-up", Status::kFail)),
            "FAIL  x  tcp-v4-bulk-up  stream client→server: 10 of 20 bytes, no end of stream (+1 more)");
  EXPECT_EQ(check::case_line("x", result("robustness-sigterm", Status::kNotApplicable)),
            "N/A   x  robustness-sigterm  no forwarder process to signal");
}

TEST(CheckReport, SummaryCountsEveryVerdict) {
  check::CheckReport r;
  r.systems.push_back(
      {"m", "", {result("a", Status::kPass), result("b", Status::kFail), result("c", Status::kPass)}, ""});
  EXPECT_EQ(check::summary_line(r), "check: 2 passed, 1 failed, 0 not applicable (1 system(s), 3 case run(s))");
}

TEST(CheckReport, JsonNamesItsFormatAndKeepsTheEvidence) {
  check::CheckReport r;
  r.systems.push_back({"m", "", {result("b", Status::kFail)}, ""});
  const auto j = check::to_json(r);
  EXPECT_EQ(j["format"], "tunbench-check/1");
  EXPECT_EQ(j["summary"]["failed"], 1);
  EXPECT_EQ(j["summary"]["exit_code"], 1);
  EXPECT_EQ(j["systems"][0]["label"], "m");
  EXPECT_EQ(j["systems"][0]["cases"][0]["verdict"], "FAIL");
  EXPECT_EQ(j["systems"][0]["cases"][0]["evidence"].size(), 2u);
}

TEST(CheckReport, JsonAndMarkdownSayWhatTheSystemNegotiated) {
  check::CheckReport r;
  r.systems.push_back({"m", "", {result("udp-v4", Status::kPass)}, "tun11: csum tso4; tun22: none"});
  EXPECT_EQ(check::to_json(r)["systems"][0]["offloads"], "tun11: csum tso4; tun22: none");
  EXPECT_NE(check::to_markdown(r).find("Offloads negotiated (TUNSETOFFLOAD): tun11: csum tso4; tun22: none"),
            std::string::npos);
}

TEST(CheckReport, MarkdownEscapesPipesAndListsEveryCaseWithItsRule) {
  check::CheckReport r;
  r.systems.push_back({"m", "", {result("udp-v4", Status::kPass)}, ""});
  const auto md = check::to_markdown(r);
  EXPECT_NE(md.find("| udp-v4 | PASS |  | a note \\| with a pipe |"), std::string::npos) << md;
  for (const auto& c : check::all_cases())
    EXPECT_NE(md.find("| " + c.name + " | " + c.family + " |"), std::string::npos) << c.name;
}

}  // namespace

#pragma once
// What one case concluded: pass, fail with the evidence, or not applicable (the forwarder does
// not offer what the case needs). A case collects findings as it goes; a single failed rule
// fails it, and the evidence says which rule and where.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace check {

enum class Status { kPass, kFail, kNotApplicable };

// "PASS", "FAIL", "N/A": the words of the per-case line and of the reports.
const char* to_string(Status s);

class Verdict {
 public:
  // A rule broken: the case fails, `evidence` says which and where.
  void fail(std::string evidence);
  // The case cannot run against this forwarder; `why` is shown. A failure found before wins.
  void not_applicable(std::string why);
  // Context kept with any verdict (figures, what was seen), shown in the reports, not as a reason.
  void note(std::string text) { notes_.push_back(std::move(text)); }

  Status status() const;
  const std::vector<std::string>& evidence() const { return evidence_; }
  const std::vector<std::string>& notes() const { return notes_; }
  nlohmann::json& figures() { return figures_; }
  const nlohmann::json& figures() const { return figures_; }

 private:
  std::vector<std::string> evidence_;
  std::vector<std::string> notes_;
  std::string not_applicable_;
  nlohmann::json figures_ = nlohmann::json::object();
};

}  // namespace check

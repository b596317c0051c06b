#include "check/verdict.h"

namespace check {

const char* to_string(Status s) {
  switch (s) {
    case Status::kPass: return "PASS";
    case Status::kFail: return "FAIL";
    case Status::kNotApplicable: return "N/A";
  }
  return "?";
}

void Verdict::fail(std::string evidence) { evidence_.push_back(std::move(evidence)); }

void Verdict::not_applicable(std::string why) {
  if (not_applicable_.empty()) not_applicable_ = why;
  notes_.push_back(std::move(why));
}

Status Verdict::status() const {
  if (!evidence_.empty()) return Status::kFail;
  if (!not_applicable_.empty()) return Status::kNotApplicable;
  return Status::kPass;
}

}  // namespace check

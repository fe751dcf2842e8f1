// The rules of a regional issue: the seven steps and their gates and what valid content is. The
// labels of its enum values are the protos' (renkei/common/labels.h).
#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "renkei/common/validation.h"
#include "renkei/v1/issues.pb.h"

namespace renkei::issues {

inline constexpr int kSteps = 7;
inline constexpr int kMaxCauses = 4;
inline constexpr int kMaxCountermeasures = 30;
inline constexpr int kMaxExpectedChanges = 20;

// OK when the issue holds what `step` requires to be completed; otherwise INVALID_ARGUMENT
// naming "step" and saying what is missing:
//   1 a target state; 2 a current state and at least one piece of evidence; 3 a chosen issue;
//   4 one to four causes, exactly one of them the main cause, and a root-cause statement;
//   5 at least one countermeasure; 6 at least one countermeasure in progress or done;
//   7 at least one expected change whose indicator has a baseline.
absl::Status CheckStepComplete(const v1::RegionalIssue& issue, int step);

// Content checks (paths under `path`).
void ValidateCauses(const google::protobuf::RepeatedPtrField<v1::Cause>& causes,
                    std::string_view path, common::FieldViolations* v);
void ValidateEvidence(const v1::Evidence& e, std::string_view path, common::FieldViolations* v);
void ValidateCountermeasure(const v1::Countermeasure& c, std::string_view path,
                            common::FieldViolations* v);
void ValidateExpectedChange(const v1::ExpectedChange& e, std::string_view path,
                            common::FieldViolations* v);
void ValidateMeeting(const v1::Meeting& m, std::string_view path, common::FieldViolations* v);
void ValidateScope(v1::IssueScope scope,
                   const google::protobuf::RepeatedPtrField<std::string>& related,
                   std::string_view path, common::FieldViolations* v);

}  // namespace renkei::issues

// The issues service's own helpers, shared by the files its domain is split into (issues.cc and
// its parts: candidates, the PDCA cycle's changes, escalation and wide-area issues, meetings). Not
// part of the service's interface.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "renkei/common/clock.h"
#include "renkei/common/table.h"
#include "renkei/common/validation.h"
#include "renkei/v1/issues.pb.h"
#include "renkei/v1/storage.pb.h"

namespace renkei::issues {

using common::FieldViolations;

inline constexpr int kMaxEvidence = 100;
inline constexpr int kMaxIssueOptions = 10;
inline constexpr int kMaxThemeTags = 10;

using common::CheckExpectedVersion;
using common::CheckId;
std::string Trimmed(const std::string& s);
std::string NormalizeThemeTag(const std::string& tag);
bool IsCodeSafe(const std::string& s);
absl::Status RequireStep(const v1::RegionalIssue& issue, int step, const std::string& field);
int CompletedSteps(const v1::RegionalIssue& issue);
absl::Status KeepCompleted(const v1::RegionalIssue& issue, int step, const std::string& field);
std::string JurisdictionName(const std::string& code);
void ValidateThemeTags(const google::protobuf::RepeatedPtrField<std::string>& tags,
                       FieldViolations* v);
void AddUnique(google::protobuf::RepeatedPtrField<std::string>* list, const std::string& value);
v1::Evidence EvidenceOfSeed(const v1::SeedEvidence& s);
std::string CauseSummary(const v1::RegionalIssue& issue);

}  // namespace renkei::issues

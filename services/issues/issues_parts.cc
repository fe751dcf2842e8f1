#include "issues_parts.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "issue_rules.h"
#include "renkei/common/dates.h"
#include "renkei/common/errors.h"
#include "renkei/common/ids.h"
#include "renkei/common/jurisdiction.h"
#include "renkei/common/keys.h"
#include "renkei/common/text.h"
#include "renkei/common/vocabulary.h"

namespace renkei::issues {

std::string Trimmed(const std::string& s) { return std::string(common::TrimSpaces(s)); }

// "tag:看取り" -> "tag:看取リ" (the form clusters use); other keys as given.
std::string NormalizeThemeTag(const std::string& tag) {
  std::string t = Trimmed(tag);
  if (t.rfind("tag:", 0) == 0) return "tag:" + common::NormalizeForSearch(t.substr(4));
  return t;
}

bool IsCodeSafe(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  });
}

// The first step whose content a field belongs to.
absl::Status RequireStep(const v1::RegionalIssue& issue, int step, const std::string& field) {
  if (issue.status() == v1::ISSUE_STATUS_OPEN && issue.current_step() < step) {
    return common::InvalidField(field, "ステップ" + std::to_string(step) + "「" +
                                           common::StepName(step) +
                                           "」に進んでから記入してください (現在はステップ" +
                                           std::to_string(issue.current_step()) +
                                           ") / available from step " + std::to_string(step));
  }
  return absl::OkStatus();
}

// Steps completed in the current cycle.
int CompletedSteps(const v1::RegionalIssue& issue) {
  return issue.status() == v1::ISSUE_STATUS_OPEN ? issue.current_step() - 1 : kSteps;
}

// Editing must not undo a completed step: its gate must still hold.
absl::Status KeepCompleted(const v1::RegionalIssue& issue, int step, const std::string& field) {
  if (CompletedSteps(issue) < step) return absl::OkStatus();
  absl::Status gate = CheckStepComplete(issue, step);
  if (gate.ok()) return gate;
  return common::InvalidField(
      field, "ステップ" + std::to_string(step) + "は完了済みです。" + std::string(gate.message()));
}

std::string JurisdictionName(const std::string& code) {
  const auto& j = common::Jurisdictions::Get();
  if (const auto* m = j.FindMunicipality(code)) return m->name;
  if (const auto* p = j.FindPrefecture(code)) return p->name;
  return code;
}

void ValidateThemeTags(const google::protobuf::RepeatedPtrField<std::string>& tags,
                       FieldViolations* v) {
  v->CheckCount("theme_tags", tags.size(), kMaxThemeTags);
  for (int i = 0; i < tags.size() && i < kMaxThemeTags; ++i) {
    v->CheckText("theme_tags[" + std::to_string(i) + "]", tags[i],
                 {.required = true, .max_chars = 100});
  }
}

void AddUnique(google::protobuf::RepeatedPtrField<std::string>* list, const std::string& value) {
  if (std::find(list->begin(), list->end(), value) == list->end()) *list->Add() = value;
}

v1::Evidence EvidenceOfSeed(const v1::SeedEvidence& s) {
  v1::Evidence e;
  std::vector<std::string> named;
  for (const auto& t : s.tags()) {
    if (t != common::kResourceGapTag) named.push_back(t);
  }
  std::string tags;
  for (const auto& label : common::TagLabels(named)) tags += (tags.empty() ? "" : "、") + label;
  if (!s.seed_id().empty()) {
    e.set_kind(v1::EVIDENCE_KIND_SEED);
    e.set_reference(s.seed_id() + " (" + s.consultation_id() + ")");
    e.set_summary("相談から挙がった地域課題のタネ" +
                  (tags.empty() ? std::string() : " (" + tags + ")") +
                  (s.capability().empty() ? std::string()
                                          : " 対応内容: " + common::TagLabel(s.capability())));
  } else {
    e.set_kind(v1::EVIDENCE_KIND_CONSULTATION);
    e.set_reference(s.consultation_id());
    e.set_summary("相談で地域内に資源が見つからなかった (対応内容: " +
                  common::TagLabel(s.capability()) + ")");
  }
  return e;
}

std::string CauseSummary(const v1::RegionalIssue& issue) {
  int mains = 0;
  for (const auto& c : issue.causes()) mains += c.main();
  return "要因 " + std::to_string(issue.causes_size()) + " 件" +
         (mains == 1 ? " (主たる原因あり)" : "");
}

}  // namespace renkei::issues

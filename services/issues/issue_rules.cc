#include "issue_rules.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "renkei/common/text.h"
#include "renkei/common/vocabulary.h"

namespace renkei::issues {
namespace {

absl::Status Gate(int step, const std::string& missing) {
  return common::InvalidField("step", "ステップ" + std::to_string(step) + "「" +
                                          common::StepName(step) +
                                          "」を完了できません: " + missing);
}

bool IsIndicatorCode(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-'))
      return false;
  }
  return true;
}

}  // namespace

absl::Status CheckStepComplete(const v1::RegionalIssue& issue, int step) {
  auto blank = [](const std::string& s) { return common::TrimSpaces(s).empty(); };
  switch (step) {
    case 1:
      if (blank(issue.target_state()))
        return Gate(1, "目指す姿が未記入です / target state missing");
      return absl::OkStatus();
    case 2:
      if (blank(issue.current_state())) return Gate(2, "現状が未記入です / current state missing");
      if (issue.evidence_size() == 0)
        return Gate(2, "根拠 (データ・調査・ヒアリング等) がありません / no evidence");
      return absl::OkStatus();
    case 3:
      if (blank(issue.chosen_issue())) return Gate(3, "課題が選ばれていません / no issue chosen");
      return absl::OkStatus();
    case 4: {
      if (issue.causes_size() == 0) return Gate(4, "要因がありません / no causes");
      int mains = static_cast<int>(std::count_if(issue.causes().begin(), issue.causes().end(),
                                                 [](const v1::Cause& c) { return c.main(); }));
      if (mains != 1)
        return Gate(4, "主たる原因をちょうど1つ選んでください / exactly one main cause required");
      if (blank(issue.root_cause()))
        return Gate(4, "根本原因の記述がありません / root-cause statement missing");
      return absl::OkStatus();
    }
    case 5:
      if (issue.countermeasures_size() == 0) return Gate(5, "対策がありません / no countermeasure");
      return absl::OkStatus();
    case 6:
      if (std::none_of(issue.countermeasures().begin(), issue.countermeasures().end(),
                       [](const v1::Countermeasure& c) {
                         return c.status() == v1::COUNTERMEASURE_STATUS_IN_PROGRESS ||
                                c.status() == v1::COUNTERMEASURE_STATUS_DONE;
                       })) {
        return Gate(6,
                    "実施中または完了の対策がありません / no countermeasure in progress or done");
      }
      return absl::OkStatus();
    case 7:
      if (std::none_of(issue.expected_changes().begin(), issue.expected_changes().end(),
                       [](const v1::ExpectedChange& e) { return e.indicator().has_baseline(); })) {
        return Gate(7,
                    "ベースライン値のある期待値がありません / no expected change with a baseline");
      }
      return absl::OkStatus();
    default:
      return common::InvalidField("step", "ステップは1〜7です / step must be 1..7");
  }
}

void ValidateCauses(const google::protobuf::RepeatedPtrField<v1::Cause>& causes,
                    std::string_view path, common::FieldViolations* v) {
  const std::string p(path);
  if (causes.size() > kMaxCauses) {
    v->Add(p, "要因は4つまでです (" + std::to_string(causes.size()) + "つ) / at most 4 causes");
  }
  int mains = 0;
  for (int i = 0; i < causes.size(); ++i) {
    v->CheckText(p + "[" + std::to_string(i) + "].text", causes[i].text(),
                 {.required = true, .max_chars = 500});
    mains += causes[i].main();
  }
  if (mains > 1)
    v->Add(p, "主たる原因は1つだけです (" + std::to_string(mains) + "つ) / only one main cause");
}

void ValidateEvidence(const v1::Evidence& e, std::string_view path, common::FieldViolations* v) {
  const std::string p(path);
  v->CheckEnum(p + ".kind", e.kind(), v1::EvidenceKind_IsValid, false);
  v->CheckText(p + ".summary", e.summary(),
               {.required = true, .max_chars = 1000, .single_line = false});
  v->CheckText(p + ".reference", e.reference(), {.max_chars = 500});
}

void ValidateCountermeasure(const v1::Countermeasure& c, std::string_view path,
                            common::FieldViolations* v) {
  const std::string p(path);
  v->CheckText(p + ".label", c.label(), {.max_chars = 20});
  if (c.audiences_size() == 0)
    v->Add(p + ".audiences", "対象 (誰に) を1つ以上指定してください / at least one audience");
  v->CheckCount(p + ".audiences", c.audiences_size(), 15);
  for (int i = 0; i < c.audiences_size() && i < 15; ++i) {
    v->CheckEnum(p + ".audiences[" + std::to_string(i) + "]", c.audiences(i),
                 v1::AudienceRole_IsValid, false);
  }
  v->CheckText(p + ".content", c.content(),
               {.required = true, .max_chars = 1000, .single_line = false});
  v->CheckText(p + ".owner", c.owner(), {.max_chars = 100});
  v->CheckEnum(p + ".status", c.status(), v1::CountermeasureStatus_IsValid, true);
  v->CheckDate(p + ".due", c.due().year(), c.due().month(), c.due().day());
  v->CheckText(p + ".training_id", c.training_id(), {.max_chars = 40});
}

void ValidateExpectedChange(const v1::ExpectedChange& e, std::string_view path,
                            common::FieldViolations* v) {
  const std::string p(path);
  v->CheckText(p + ".label", e.label(), {.max_chars = 20});
  v->CheckText(p + ".description", e.description(), {.required = true, .max_chars = 500});
  const auto& ind = e.indicator();
  const std::string q = p + ".indicator";
  if (!ind.code().empty() && !IsIndicatorCode(ind.code())) {
    v->Add(q + ".code", "英数字と _ . - の64文字以内 / [A-Za-z0-9_.-], ≤ 64");
  }
  v->CheckText(q + ".name_ja", ind.name_ja(), {.required = true, .max_chars = 100});
  v->CheckText(q + ".description", ind.description(), {.max_chars = 1000, .single_line = false});
  v->CheckText(q + ".unit", ind.unit(), {.max_chars = 20});
  v->CheckEnum(q + ".kind", ind.kind(), v1::IndicatorKind_IsValid, true);
  if (ind.methods_size() == 0)
    v->Add(q + ".methods", "測定方法を1つ以上指定してください / at least one method");
  v->CheckCount(q + ".methods", ind.methods_size(), 4);
  for (int i = 0; i < ind.methods_size() && i < 4; ++i) {
    v->CheckEnum(q + ".methods[" + std::to_string(i) + "]", ind.methods(i),
                 v1::MeasurementMethod_IsValid, false);
  }
  v->CheckEnum(q + ".frequency", ind.frequency(), v1::MeasurementFrequency_IsValid, false);
  v->CheckEnum(q + ".direction", ind.direction(), v1::Direction_IsValid, true);
  v->CheckText(q + ".baseline_period", ind.baseline_period(), {.max_chars = 20});
  if (ind.has_baseline() && !std::isfinite(ind.baseline()))
    v->Add(q + ".baseline", "数値ではありません / not a number");
  if (ind.has_target() && !std::isfinite(ind.target()))
    v->Add(q + ".target", "数値ではありません / not a number");
}

void ValidateMeeting(const v1::Meeting& m, std::string_view path, common::FieldViolations* v) {
  const std::string p(path);
  v->CheckDate(p + ".date", m.date().year(), m.date().month(), m.date().day(), /*required=*/true);
  v->CheckEnum(p + ".body", m.body(), v1::MeetingBody_IsValid, false);
  v->CheckText(p + ".title", m.title(), {.required = true, .max_chars = 200});
  v->CheckCount(p + ".agenda", m.agenda_size(), 20);
  for (int i = 0; i < m.agenda_size() && i < 20; ++i) {
    v->CheckText(p + ".agenda[" + std::to_string(i) + "]", m.agenda(i),
                 {.required = true, .max_chars = 200});
  }
  v->CheckText(p + ".pre_meeting_notes", m.pre_meeting_notes(),
               {.max_chars = 4000, .single_line = false});
  v->CheckText(p + ".minutes", m.minutes(), {.max_chars = 20000, .single_line = false});
  v->CheckCount(p + ".materials", m.materials_size(), 50);
  for (int i = 0; i < m.materials_size() && i < 50; ++i) {
    v->CheckText(p + ".materials[" + std::to_string(i) + "].title", m.materials(i).title(),
                 {.required = true, .max_chars = 200});
    v->CheckText(p + ".materials[" + std::to_string(i) + "].reference", m.materials(i).reference(),
                 {.max_chars = 500});
  }
  v->CheckCount(p + ".opinions", m.opinions_size(), 50);
  for (int i = 0; i < m.opinions_size() && i < 50; ++i) {
    const std::string q = p + ".opinions[" + std::to_string(i) + "]";
    v->CheckText(q + ".summary", m.opinions(i).summary(),
                 {.required = true, .max_chars = 1000, .single_line = false});
    v->CheckEnum(q + ".weight", m.opinions(i).weight(), v1::OpinionWeight_IsValid, true);
    for (int j = 0; j < m.opinions(i).from_roles_size(); ++j) {
      v->CheckEnum(q + ".from_roles[" + std::to_string(j) + "]", m.opinions(i).from_roles(j),
                   v1::AudienceRole_IsValid, false);
    }
  }
  v->CheckCount(p + ".decisions", m.decisions_size(), 20);
  for (int i = 0; i < m.decisions_size() && i < 20; ++i) {
    v->CheckText(p + ".decisions[" + std::to_string(i) + "]", m.decisions(i),
                 {.required = true, .max_chars = 500});
  }
  v->CheckCount(p + ".action_items", m.action_items_size(), 50);
  for (int i = 0; i < m.action_items_size() && i < 50; ++i) {
    const std::string q = p + ".action_items[" + std::to_string(i) + "]";
    v->CheckText(q + ".task", m.action_items(i).task(), {.required = true, .max_chars = 500});
    v->CheckText(q + ".owner", m.action_items(i).owner(), {.max_chars = 100});
    v->CheckDate(q + ".due", m.action_items(i).due().year(), m.action_items(i).due().month(),
                 m.action_items(i).due().day());
  }
  v->CheckCount(p + ".issue_ids", m.issue_ids_size(), 50);
}

void ValidateScope(v1::IssueScope scope,
                   const google::protobuf::RepeatedPtrField<std::string>& related,
                   std::string_view path, common::FieldViolations* v) {
  const std::string p(path);
  v->CheckEnum(p + "scope", scope, v1::IssueScope_IsValid, true);
  v->CheckCount(p + "related_municipality_codes", related.size(), 100);
  for (int i = 0; i < related.size() && i < 100; ++i) {
    v->CheckMunicipalityCode(p + "related_municipality_codes[" + std::to_string(i) + "]",
                             related[i]);
  }
  if (scope == v1::ISSUE_SCOPE_WIDE_AREA && related.empty()) {
    v->Add(p + "related_municipality_codes",
           "広域の課題には関係市町村を指定してください / wide-area issues name the "
           "related municipalities");
  }
}

}  // namespace renkei::issues

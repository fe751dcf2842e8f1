// Issues: an issue's changes through the 7-step PDCA cycle (details, countermeasures, expected
// changes, steps, new cycles).
#include <algorithm>
#include <cctype>

#include "absl/strings/escaping.h"
#include "issue_rules.h"
#include "issues.h"
#include "issues_parts.h"
#include "renkei/common/dates.h"
#include "renkei/common/errors.h"
#include "renkei/common/ids.h"
#include "renkei/common/jurisdiction.h"
#include "renkei/common/keys.h"
#include "renkei/common/labels.h"
#include "renkei/common/status_macros.h"
#include "renkei/common/table.h"
#include "renkei/common/text.h"
#include "renkei/common/validation.h"
#include "renkei/common/vocabulary.h"
#include "worksheet.h"

namespace renkei::issues {

namespace {

// " (効果確認済み)": after a step, the issue's state once step 7 is complete.
std::string Evaluated() {
  return " (" + std::string(common::Label(v1::ISSUE_STATUS_EVALUATED)) + ")";
}

}  // namespace

absl::StatusOr<v1::RegionalIssue> Issues::UpdateIssue(const v1::UpdateIssueRequest& r) {
  FieldViolations v;
  if (r.has_theme()) v.CheckText("theme", r.theme(), {.required = true, .max_chars = 200});
  if (r.has_target_state())
    v.CheckText("target_state", r.target_state(), {.max_chars = 1000, .single_line = false});
  if (r.has_current_state()) {
    v.CheckText("current_state", r.current_state(), {.max_chars = 2000, .single_line = false});
  }
  if (!r.replace_evidence() && r.evidence_size() > 0) {
    v.Add("replace_evidence",
          "根拠を変えるときは置き換えとして送ってください / set replace_evidence");
  }
  v.CheckCount("evidence", r.evidence_size(), kMaxEvidence);
  for (int i = 0; i < r.evidence_size() && i < kMaxEvidence; ++i) {
    ValidateEvidence(r.evidence(i), "evidence[" + std::to_string(i) + "]", &v);
  }
  if (!r.replace_issue_options() && r.issue_options_size() > 0) {
    v.Add("replace_issue_options",
          "課題案を変えるときは置き換えとして送ってください / set "
          "replace_issue_options");
  }
  v.CheckCount("issue_options", r.issue_options_size(), kMaxIssueOptions);
  for (int i = 0; i < r.issue_options_size() && i < kMaxIssueOptions; ++i) {
    v.CheckText("issue_options[" + std::to_string(i) + "]", r.issue_options(i),
                {.required = true, .max_chars = 500});
  }
  if (r.has_chosen_issue()) v.CheckText("chosen_issue", r.chosen_issue(), {.max_chars = 500});
  if (!r.replace_causes() && r.causes_size() > 0) {
    v.Add("replace_causes", "要因を変えるときは置き換えとして送ってください / set replace_causes");
  }
  if (r.replace_causes()) ValidateCauses(r.causes(), "causes", &v);
  if (r.has_root_cause())
    v.CheckText("root_cause", r.root_cause(), {.max_chars = 1000, .single_line = false});
  if (r.scope() != v1::ISSUE_SCOPE_UNSPECIFIED || r.replace_related_municipalities()) {
    v.CheckEnum("scope", r.scope(), v1::IssueScope_IsValid, true);
    v.CheckCount("related_municipality_codes", r.related_municipality_codes_size(), 100);
    for (int i = 0; i < r.related_municipality_codes_size() && i < 100; ++i) {
      v.CheckMunicipalityCode("related_municipality_codes[" + std::to_string(i) + "]",
                              r.related_municipality_codes(i));
    }
  } else if (r.related_municipality_codes_size() > 0) {
    v.Add("replace_related_municipalities",
          "関係市区町村を変えるときは置き換えとして送ってください / set "
          "replace_related_municipalities");
  }
  const bool anything = r.has_theme() || r.has_target_state() || r.has_current_state() ||
                        r.replace_evidence() || r.replace_issue_options() || r.has_chosen_issue() ||
                        r.replace_causes() || r.has_root_cause() ||
                        r.scope() != v1::ISSUE_SCOPE_UNSPECIFIED ||
                        r.replace_related_municipalities();
  if (v.empty() && !anything) v.Add("update", "変更する項目がありません / nothing to update");
  RETURN_IF_ERROR(v.ToStatus());

  return Mutate(
      r.id(), r.expected_version(), [&](v1::RegionalIssue* issue, Change* ch) -> absl::Status {
        std::vector<std::string> changed;
        if (r.has_theme()) {
          issue->set_theme(Trimmed(r.theme()));
          changed.push_back("テーマ");
        }
        if (r.has_target_state()) {
          RETURN_IF_ERROR(RequireStep(*issue, 1, "target_state"));
          issue->set_target_state(Trimmed(r.target_state()));
          changed.push_back("目指す姿");
        }
        if (r.has_current_state()) {
          RETURN_IF_ERROR(RequireStep(*issue, 2, "current_state"));
          issue->set_current_state(Trimmed(r.current_state()));
          changed.push_back("現状");
        }
        if (r.replace_evidence()) {
          RETURN_IF_ERROR(RequireStep(*issue, 2, "evidence"));
          *issue->mutable_evidence() = r.evidence();
          for (auto& e : *issue->mutable_evidence()) {
            e.set_summary(Trimmed(e.summary()));
            e.set_reference(Trimmed(e.reference()));
          }
          changed.push_back("根拠");
        }
        if (r.replace_issue_options()) {
          RETURN_IF_ERROR(RequireStep(*issue, 3, "issue_options"));
          issue->clear_issue_options();
          for (const auto& o : r.issue_options()) *issue->add_issue_options() = Trimmed(o);
          changed.push_back("課題案");
        }
        if (r.has_chosen_issue()) {
          RETURN_IF_ERROR(RequireStep(*issue, 3, "chosen_issue"));
          issue->set_chosen_issue(Trimmed(r.chosen_issue()));
          changed.push_back("課題");
        }
        bool causes_changed = false;
        if (r.replace_causes()) {
          RETURN_IF_ERROR(RequireStep(*issue, 4, "causes"));
          google::protobuf::RepeatedPtrField<v1::Cause> next;
          for (int i = 0; i < r.causes_size(); ++i) {
            v1::Cause c = r.causes(i);
            if (c.id().empty()) {
              c.set_id(common::NewId("cause", *clock_));
            } else if (std::none_of(issue->causes().begin(), issue->causes().end(),
                                    [&](const v1::Cause& x) { return x.id() == c.id(); })) {
              return common::InvalidField(
                  "causes[" + std::to_string(i) + "].id",
                  "この課題の要因ではありません / not a cause of this issue");
            }
            c.set_text(Trimmed(c.text()));
            *next.Add() = std::move(c);
          }
          *issue->mutable_causes() = std::move(next);
          causes_changed = true;
          changed.push_back("要因");
        }
        if (r.has_root_cause()) {
          RETURN_IF_ERROR(RequireStep(*issue, 4, "root_cause"));
          issue->set_root_cause(Trimmed(r.root_cause()));
          causes_changed = true;
          changed.push_back("根本原因");
        }
        if (r.scope() != v1::ISSUE_SCOPE_UNSPECIFIED || r.replace_related_municipalities()) {
          if (r.scope() != v1::ISSUE_SCOPE_UNSPECIFIED) issue->set_scope(r.scope());
          if (r.replace_related_municipalities())
            *issue->mutable_related_municipality_codes() = r.related_municipality_codes();
          FieldViolations sv;
          ValidateScope(issue->scope(), issue->related_municipality_codes(), "", &sv);
          RETURN_IF_ERROR(sv.ToStatus());
          changed.push_back("範囲");
        }
        RETURN_IF_ERROR(KeepCompleted(*issue, 1, "target_state"));
        RETURN_IF_ERROR(
            KeepCompleted(*issue, 2, r.has_current_state() ? "current_state" : "evidence"));
        RETURN_IF_ERROR(KeepCompleted(*issue, 3, "chosen_issue"));
        RETURN_IF_ERROR(KeepCompleted(*issue, 4, r.replace_causes() ? "causes" : "root_cause"));
        ch->action = "updated";
        ch->detail = "更新: ";
        for (size_t i = 0; i < changed.size(); ++i) ch->detail += (i ? "、" : "") + changed[i];
        if (causes_changed) {
          auto e = NewEvent(*issue);
          auto* p = e.mutable_cause_recorded();
          p->set_issue_id(issue->id());
          p->set_causes(issue->causes_size());
          p->set_main_cause_chosen(std::count_if(issue->causes().begin(), issue->causes().end(),
                                                 [](const v1::Cause& c) { return c.main(); }) == 1);
          ch->events.push_back(std::move(e));
          ch->detail += " (" + CauseSummary(*issue) + ")";
        }
        return absl::OkStatus();
      });
}

absl::StatusOr<v1::RegionalIssue> Issues::AddCountermeasure(const v1::AddCountermeasureRequest& r) {
  FieldViolations v;
  if (!r.has_countermeasure()) {
    v.Add("countermeasure", "必須です / required");
  } else {
    ValidateCountermeasure(r.countermeasure(), "countermeasure", &v);
    if (!r.countermeasure().training_id().empty() &&
        !common::IsWellFormedId("trn", r.countermeasure().training_id())) {
      v.Add("countermeasure.training_id",
            "研修IDの形式が不正です (trn_ + 26文字) / malformed training id");
    }
  }
  RETURN_IF_ERROR(v.ToStatus());
  return Mutate(
      r.id(), r.expected_version(), [&](v1::RegionalIssue* issue, Change* ch) -> absl::Status {
        if (issue->status() == v1::ISSUE_STATUS_OPEN && issue->current_step() < 5) {
          return common::InvalidField(
              "countermeasure",
              "主たる原因を選び、ステップ4「" + common::StepName(4) +
                  "」を完了してから対策を立ててください (現在はステップ" +
                  std::to_string(issue->current_step()) +
                  ") / no countermeasure before the main cause is chosen (step 4 completed)");
        }
        RETURN_IF_ERROR(RequireStep(*issue, 5, "countermeasure"));
        if (issue->countermeasures_size() >= kMaxCountermeasures) {
          return common::InvalidField("countermeasure",
                                      "対策は30件までです / at most 30 countermeasures");
        }
        v1::Countermeasure c = r.countermeasure();
        c.set_id(common::NewId("cm", *clock_));
        c.set_label(Trimmed(c.label()));
        if (c.label().empty()) c.set_label("M" + std::to_string(issue->countermeasures_size() + 1));
        for (const auto& other : issue->countermeasures()) {
          if (other.label() == c.label()) {
            return common::InvalidField(
                "countermeasure.label",
                "同じラベルの対策があります: " + c.label() + " / label already used");
          }
        }
        c.set_content(Trimmed(c.content()));
        c.set_owner(Trimmed(c.owner()));
        if (c.status() == v1::COUNTERMEASURE_STATUS_UNSPECIFIED)
          c.set_status(v1::COUNTERMEASURE_STATUS_PLANNED);
        std::string audiences;
        for (int a : c.audiences())
          audiences +=
              (audiences.empty() ? "" : "、") + std::string(common::Label(v1::AudienceRole(a)));
        ch->action = "countermeasure_planned";
        ch->detail = "対策 " + c.label() + " を立てました (誰に: " + audiences + ")";
        auto e = NewEvent(*issue);
        auto* p = e.mutable_countermeasure_planned();
        p->set_issue_id(issue->id());
        p->set_countermeasure_id(c.id());
        *p->mutable_audiences() = c.audiences();
        p->set_training_id(c.training_id());
        ch->events.push_back(std::move(e));
        *issue->add_countermeasures() = std::move(c);
        return absl::OkStatus();
      });
}

absl::StatusOr<v1::RegionalIssue> Issues::UpdateCountermeasure(
    const v1::UpdateCountermeasureRequest& r) {
  FieldViolations v;
  v.CheckEnum("status", r.status(), v1::CountermeasureStatus_IsValid, true);
  if (r.has_owner()) v.CheckText("owner", r.owner(), {.max_chars = 100});
  v.CheckDate("due", r.due().year(), r.due().month(), r.due().day());
  if (r.has_training_id() && !r.training_id().empty() &&
      !common::IsWellFormedId("trn", r.training_id())) {
    v.Add("training_id", "研修IDの形式が不正です (trn_ + 26文字) / malformed training id");
  }
  if (!common::IsWellFormedId("cm", r.countermeasure_id())) {
    v.Add("countermeasure_id", "IDの形式が不正です (cm_ + 26文字) / malformed id");
  }
  if (v.empty() && r.status() == v1::COUNTERMEASURE_STATUS_UNSPECIFIED && !r.has_owner() &&
      r.due().year() == 0 && !r.has_training_id()) {
    v.Add("update", "変更する項目がありません / nothing to update");
  }
  RETURN_IF_ERROR(v.ToStatus());
  return Mutate(
      r.id(), r.expected_version(), [&](v1::RegionalIssue* issue, Change* ch) -> absl::Status {
        RETURN_IF_ERROR(RequireStep(*issue, 5, "countermeasure_id"));
        auto it = std::find_if(
            issue->mutable_countermeasures()->begin(), issue->mutable_countermeasures()->end(),
            [&](const v1::Countermeasure& c) { return c.id() == r.countermeasure_id(); });
        if (it == issue->mutable_countermeasures()->end()) {
          return common::NotFoundError("renkei.v1.Countermeasure", r.countermeasure_id(),
                                       "対策が見つかりません / no such countermeasure");
        }
        std::vector<std::string> parts;
        if (r.status() != v1::COUNTERMEASURE_STATUS_UNSPECIFIED && r.status() != it->status()) {
          parts.push_back(std::string(common::Label(it->status(), "")) + " → " +
                          std::string(common::Label(r.status(), "")));
          it->set_status(r.status());
          auto e = NewEvent(*issue);
          auto* p = e.mutable_countermeasure_status_changed();
          p->set_issue_id(issue->id());
          p->set_countermeasure_id(it->id());
          p->set_status(r.status());
          ch->events.push_back(std::move(e));
        }
        if (r.has_owner()) {
          it->set_owner(Trimmed(r.owner()));
          parts.push_back("担当");
        }
        if (r.due().year() != 0) {
          *it->mutable_due() = r.due();
          parts.push_back("期限 " + common::FormatDate(r.due()));
        }
        if (r.has_training_id()) {
          it->set_training_id(r.training_id());
          parts.push_back("研修");
        }
        RETURN_IF_ERROR(KeepCompleted(*issue, 6, "status"));
        ch->action =
            ch->events.empty() ? "countermeasure_updated" : "countermeasure_status_changed";
        ch->detail = "対策 " + it->label() + ": ";
        for (size_t i = 0; i < parts.size(); ++i) ch->detail += (i ? "、" : "") + parts[i];
        if (parts.empty()) ch->detail += "変更なし";
        return absl::OkStatus();
      });
}

absl::StatusOr<v1::RegionalIssue> Issues::AddExpectedChange(const v1::AddExpectedChangeRequest& r) {
  FieldViolations v;
  if (!r.has_expected_change()) {
    v.Add("expected_change", "必須です / required");
  } else {
    ValidateExpectedChange(r.expected_change(), "expected_change", &v);
  }
  RETURN_IF_ERROR(v.ToStatus());
  return Mutate(
      r.id(), r.expected_version(), [&](v1::RegionalIssue* issue, Change* ch) -> absl::Status {
        if (issue->status() == v1::ISSUE_STATUS_OPEN && issue->current_step() < 5) {
          return common::InvalidField(
              "expected_change", "期待値は対策と一緒に決めます。ステップ5「" + common::StepName(5) +
                                     "」から記入してください (現在はステップ" +
                                     std::to_string(issue->current_step()) +
                                     ") / available from step 5");
        }
        RETURN_IF_ERROR(RequireStep(*issue, 5, "expected_change"));
        if (issue->expected_changes_size() >= kMaxExpectedChanges) {
          return common::InvalidField("expected_change",
                                      "期待値は20件までです / at most 20 expected changes");
        }
        v1::ExpectedChange e = r.expected_change();
        e.set_id(common::NewId("exp", *clock_));
        e.set_label(Trimmed(e.label()));
        if (e.label().empty())
          e.set_label("E" + std::to_string(issue->expected_changes_size() + 1));
        for (const auto& other : issue->expected_changes()) {
          if (other.label() == e.label()) {
            return common::InvalidField(
                "expected_change.label",
                "同じラベルの期待値があります: " + e.label() + " / label already used");
          }
        }
        e.set_description(Trimmed(e.description()));
        auto* ind = e.mutable_indicator();
        const bool linked = !ind->code().empty();
        if (!linked)
          ind->set_code(issue->id() + "." + (IsCodeSafe(e.label()) ? e.label() : e.id()));
        ch->action = "expected_change_defined";
        ch->detail = "期待値 " + e.label() + " を設定しました (指標: " + ind->name_ja() +
                     (linked ? "、既存の指標 " : "、") + ind->code() + ")";
        auto ev = NewEvent(*issue);
        auto* p = ev.mutable_expected_change_defined();
        p->set_issue_id(issue->id());
        p->set_expected_change_id(e.id());
        p->set_municipality_code(issue->municipality_code());
        *p->mutable_indicator() = *ind;
        ch->events.push_back(std::move(ev));
        *issue->add_expected_changes() = std::move(e);
        return absl::OkStatus();
      });
}

absl::StatusOr<v1::RegionalIssue> Issues::UpdateExpectedChange(
    const v1::UpdateExpectedChangeRequest& r) {
  FieldViolations v;
  if (!common::IsWellFormedId("exp", r.expected_change_id())) {
    v.Add("expected_change_id", "IDの形式が不正です (exp_ + 26文字) / malformed id");
  }
  if (r.has_description())
    v.CheckText("description", r.description(), {.required = true, .max_chars = 500});
  if (r.has_baseline() && !std::isfinite(r.baseline()))
    v.Add("baseline", "数値ではありません / not a number");
  if (r.has_target() && !std::isfinite(r.target()))
    v.Add("target", "数値ではありません / not a number");
  if (r.has_baseline_period())
    v.CheckText("baseline_period", r.baseline_period(), {.max_chars = 20});
  if (v.empty() && !r.has_description() && !r.has_baseline() && !r.has_target() &&
      !r.has_baseline_period()) {
    v.Add("update", "変更する項目がありません / nothing to update");
  }
  RETURN_IF_ERROR(v.ToStatus());
  return Mutate(
      r.id(), r.expected_version(), [&](v1::RegionalIssue* issue, Change* ch) -> absl::Status {
        RETURN_IF_ERROR(RequireStep(*issue, 5, "expected_change_id"));
        auto it = std::find_if(
            issue->mutable_expected_changes()->begin(), issue->mutable_expected_changes()->end(),
            [&](const v1::ExpectedChange& e) { return e.id() == r.expected_change_id(); });
        if (it == issue->mutable_expected_changes()->end()) {
          return common::NotFoundError("renkei.v1.ExpectedChange", r.expected_change_id(),
                                       "期待値が見つかりません / no such expected change");
        }
        auto* ind = it->mutable_indicator();
        std::string detail = "期待値 " + it->label() + ":";
        if (r.has_description()) {
          it->set_description(Trimmed(r.description()));
          detail += " 内容を更新";
        }
        if (r.has_baseline()) {
          ind->set_baseline(r.baseline());
          char buf[64];
          std::snprintf(buf, sizeof buf, "%g", r.baseline());
          detail += " ベースライン " + std::string(buf) + ind->unit();
        }
        if (r.has_baseline_period()) ind->set_baseline_period(Trimmed(r.baseline_period()));
        if (r.has_target()) {
          ind->set_target(r.target());
          char buf[64];
          std::snprintf(buf, sizeof buf, "%g", r.target());
          detail += " 目標 " + std::string(buf) + ind->unit();
        }
        ch->action = "expected_change_updated";
        ch->detail = detail;
        auto ev = NewEvent(*issue);
        auto* p = ev.mutable_expected_change_defined();
        p->set_issue_id(issue->id());
        p->set_expected_change_id(it->id());
        p->set_municipality_code(issue->municipality_code());
        *p->mutable_indicator() = *ind;
        ch->events.push_back(std::move(ev));
        return absl::OkStatus();
      });
}

absl::StatusOr<v1::RegionalIssue> Issues::AdvanceStep(const v1::AdvanceStepRequest& r) {
  return Mutate(
      r.id(), r.expected_version(), [&](v1::RegionalIssue* issue, Change* ch) -> absl::Status {
        if (issue->status() == v1::ISSUE_STATUS_EVALUATED) {
          return common::InvalidField("status",
                                      "効果確認は完了しています。次のサイクルを始めてください / "
                                      "step 7 is complete: start a new cycle");
        }
        const int step = issue->current_step();
        RETURN_IF_ERROR(CheckStepComplete(*issue, step));
        auto* t = issue->add_transitions();
        t->set_from_step(step);
        t->set_cycle(issue->cycle());
        *t->mutable_at() = clock_->NowTimestamp();
        if (step == kSteps) {
          issue->set_status(v1::ISSUE_STATUS_EVALUATED);
          t->set_to_step(step);
        } else {
          issue->set_current_step(step + 1);
          t->set_to_step(step + 1);
        }
        ch->action = "step_completed";
        ch->detail = "ステップ" + std::to_string(step) + "「" + common::StepName(step) +
                     "」を完了しました" + (step == kSteps ? Evaluated() : "");
        auto e = NewEvent(*issue);
        e.set_share_level(v1::SHARE_LEVEL_NATIONAL);
        auto* p = e.mutable_issue_step_completed();
        p->set_issue_id(issue->id());
        p->set_municipality_code(issue->municipality_code());
        p->set_step(step);
        p->set_cycle(issue->cycle());
        *p->mutable_theme_tags() = issue->theme_tags();
        *p->mutable_related_municipality_codes() = issue->related_municipality_codes();
        p->set_origin_instance(issue->origin_instance());
        p->set_origin_issue_id(issue->origin_issue_id());
        ch->events.push_back(std::move(e));
        return absl::OkStatus();
      });
}

absl::StatusOr<v1::RegionalIssue> Issues::ReturnToStep(const v1::ReturnToStepRequest& r) {
  FieldViolations v;
  if (r.step() < 1 || r.step() > kSteps) v.Add("step", "1〜7 です / must be 1..7");
  v.CheckText("reason", r.reason(), {.required = true, .max_chars = 500, .single_line = false});
  RETURN_IF_ERROR(v.ToStatus());
  return Mutate(
      r.id(), r.expected_version(), [&](v1::RegionalIssue* issue, Change* ch) -> absl::Status {
        const bool evaluated = issue->status() == v1::ISSUE_STATUS_EVALUATED;
        const int from = issue->current_step();
        if (!evaluated && r.step() >= from) {
          return common::InvalidField("step", "戻れるのは現在のステップ (" + std::to_string(from) +
                                                  ") より前です / must be before the current step");
        }
        auto* t = issue->add_transitions();
        t->set_from_step(from);
        t->set_to_step(r.step());
        t->set_cycle(issue->cycle());
        t->set_back(true);
        t->set_reason(Trimmed(r.reason()));
        *t->mutable_at() = clock_->NowTimestamp();
        issue->set_current_step(r.step());
        issue->set_status(v1::ISSUE_STATUS_OPEN);
        ch->action = "returned_to_step";
        ch->detail = "ステップ" + std::to_string(from) + (evaluated ? Evaluated() : "") +
                     "からステップ" + std::to_string(r.step()) + "「" + common::StepName(r.step()) +
                     "」に戻りました。理由: " + t->reason();
        return absl::OkStatus();
      });
}

absl::StatusOr<v1::RegionalIssue> Issues::StartNewCycle(const v1::StartNewCycleRequest& r) {
  return Mutate(
      r.id(), r.expected_version(), [&](v1::RegionalIssue* issue, Change* ch) -> absl::Status {
        if (issue->status() != v1::ISSUE_STATUS_EVALUATED) {
          return common::InvalidField(
              "status",
              "次のサイクルはステップ7「効果確認」の完了後に始められます (現在はステップ" +
                  std::to_string(issue->current_step()) + ") / a new cycle starts after step 7");
        }
        auto* t = issue->add_transitions();
        t->set_from_step(kSteps);
        t->set_to_step(1);
        t->set_cycle(issue->cycle() + 1);
        *t->mutable_at() = clock_->NowTimestamp();
        issue->set_cycle(issue->cycle() + 1);
        issue->set_current_step(1);
        issue->set_status(v1::ISSUE_STATUS_OPEN);
        ch->action = "new_cycle";
        ch->detail = "第" + std::to_string(issue->cycle()) +
                     "サイクルを開始しました (前サイクルの内容を引き継ぎ)";
        return absl::OkStatus();
      });
}

}  // namespace renkei::issues

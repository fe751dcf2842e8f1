// Issues: escalation to the prefecture and wide-area issues; the worksheet export.
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
#include "renkei/common/status_macros.h"
#include "renkei/common/table.h"
#include "renkei/common/text.h"
#include "renkei/common/validation.h"
#include "renkei/common/vocabulary.h"
#include "worksheet.h"

namespace renkei::issues {

absl::StatusOr<v1::RegionalIssue> Issues::EscalateIssue(const v1::EscalateIssueRequest& r) {
  FieldViolations v;
  v.CheckText("note", r.note(), {.max_chars = 1000, .single_line = false});
  RETURN_IF_ERROR(v.ToStatus());
  if (options_.prefecture) {
    return common::InvalidField(
        "id", "都道府県の課題はこれ以上上げられません / a prefecture's issue is not escalated");
  }
  return Mutate(
      r.id(), r.expected_version(), [&](v1::RegionalIssue* issue, Change* ch) -> absl::Status {
        if (issue->scope() != v1::ISSUE_SCOPE_WIDE_AREA) {
          return common::InvalidField(
              "scope",
              "都道府県に上げられるのは広域の課題です。範囲を広域にしてください / only "
              "wide-area issues are escalated");
        }
        const std::string pref = issue->municipality_code().substr(0, 2);
        const auto* p = common::Jurisdictions::Get().FindPrefecture(pref);
        const bool again = issue->has_escalated_at();
        *issue->mutable_escalated_at() = clock_->NowTimestamp();
        ch->action = "escalated";
        ch->detail =
            std::string(again ? "再度" : "") + (p ? p->name : pref) + "に広域課題として上げました";
        auto e = NewEvent(*issue);
        auto* x = e.mutable_issue_escalated();
        x->set_issue_id(issue->id());
        x->set_municipality_code(issue->municipality_code());
        x->set_prefecture_code(pref);
        x->set_theme(issue->theme());
        x->set_target_state(issue->target_state());
        *x->mutable_theme_tags() = issue->theme_tags();
        *x->mutable_related_municipality_codes() = issue->related_municipality_codes();
        x->set_current_step(issue->current_step());
        x->set_note(Trimmed(r.note()));
        ch->events.push_back(std::move(e));
        return absl::OkStatus();
      });
}

absl::Status Issues::ApplyEscalation(const v1::EventEnvelope& event, common::CommandBatch* cmd) {
  if (!options_.prefecture || !event.has_issue_escalated()) return absl::OkStatus();
  const auto& x = event.issue_escalated();
  if (x.prefecture_code() != options_.jurisdiction_code.substr(0, 2)) return absl::OkStatus();
  if (!common::IsWellFormedId("iss", x.issue_id()) || event.origin_instance().empty()) {
    return absl::InvalidArgumentError("escalation without origin issue or instance");
  }
  auto links_lock = std::make_shared<std::unique_lock<std::mutex>>(escalation_mu_);
  cmd->Hold(links_lock);
  ASSIGN_OR_RETURN(std::optional<v1::EscalationLink> link,
                   store_.GetEscalationLink(event.origin_instance(), x.issue_id()));
  const std::string from = JurisdictionName(x.municipality_code());
  const std::string note = Trimmed(x.note());
  v1::RegionalIssue issue;
  Change ch;
  if (!link) {
    issue = NewIssue(x.theme().empty() ? from + "からの広域課題" : x.theme());
    issue.set_scope(v1::ISSUE_SCOPE_WIDE_AREA);
    issue.set_target_state(x.target_state());
    *issue.mutable_theme_tags() = x.theme_tags();
    AddUnique(issue.mutable_related_municipality_codes(), x.municipality_code());
    for (const auto& m : x.related_municipality_codes())
      AddUnique(issue.mutable_related_municipality_codes(), m);
    issue.set_origin_instance(event.origin_instance());
    issue.set_origin_issue_id(x.issue_id());
    issue.set_origin_municipality_code(x.municipality_code());
    *issue.mutable_escalated_at() = event.occurred_at();
    ch.action = "escalation_received";
    ch.detail = from + "から広域課題として上がりました (" + x.issue_id() + "、ステップ" +
                std::to_string(x.current_step()) + ")" + (note.empty() ? "" : "。メモ: " + note);
    AddOpenedEvent(issue, &ch);
    link.emplace();
    link->set_origin_instance(event.origin_instance());
    link->set_origin_issue_id(x.issue_id());
    link->set_issue_id(issue.id());
  } else {
    cmd->Hold(locks_.LockShared(link->issue_id()));
    ASSIGN_OR_RETURN(issue, store_.GetIssue(link->issue_id()));
    for (const auto& m : x.related_municipality_codes())
      AddUnique(issue.mutable_related_municipality_codes(), m);
    *issue.mutable_escalated_at() = event.occurred_at();
    common::NextVersion(&issue, *clock_);
    ch.action = "escalation_received";
    ch.detail = from + "から再度上がりました (ステップ" + std::to_string(x.current_step()) + ")" +
                (note.empty() ? "" : "。メモ: " + note);
  }
  link->set_escalations(link->escalations() + 1);
  store_.PutEscalationLink(&cmd->batch(), *link);
  Stage(issue, ch, cmd);
  return absl::OkStatus();
}

absl::Status Issues::ApplyWideAreaEvent(const v1::EventEnvelope& event, common::CommandBatch* cmd) {
  if (options_.prefecture) return absl::OkStatus();
  const std::string own = options_.jurisdiction_code;
  const std::string& self = events_.origin_instance;
  std::string id, origin_instance, origin_issue_id, prefecture_code;
  const google::protobuf::RepeatedPtrField<std::string>* related = nullptr;
  const google::protobuf::RepeatedPtrField<std::string>* tags = nullptr;
  int step = 1, cycle = 1;
  v1::IssueStatus status = v1::ISSUE_STATUS_OPEN;
  if (event.has_issue_opened()) {
    const auto& x = event.issue_opened();
    if (x.scope() != v1::ISSUE_SCOPE_WIDE_AREA) return absl::OkStatus();
    id = x.issue_id();
    origin_instance = x.origin_instance();
    origin_issue_id = x.origin_issue_id();
    prefecture_code = x.municipality_code();
    related = &x.related_municipality_codes();
    tags = &x.theme_tags();
  } else if (event.has_issue_step_completed()) {
    const auto& x = event.issue_step_completed();
    id = x.issue_id();
    origin_instance = x.origin_instance();
    origin_issue_id = x.origin_issue_id();
    prefecture_code = x.municipality_code();
    related = &x.related_municipality_codes();
    tags = &x.theme_tags();
    cycle = x.cycle();
    if (x.step() >= kSteps) {
      step = kSteps;
      status = v1::ISSUE_STATUS_EVALUATED;
    } else {
      step = x.step() + 1;
    }
  } else {
    return absl::OkStatus();
  }
  // Only the parent prefecture's issues, and only those that concern this municipality.
  if (prefecture_code.substr(0, 2) != own.substr(0, 2) || prefecture_code.size() != 6 ||
      common::Jurisdictions::Get().FindPrefecture(prefecture_code) == nullptr) {
    return absl::OkStatus();
  }
  const bool ours = origin_instance == self && common::IsWellFormedId("iss", origin_issue_id);
  const bool related_here = std::find(related->begin(), related->end(), own) != related->end();
  if (!ours && !related_here) return absl::OkStatus();

  auto lock = std::make_shared<std::unique_lock<std::mutex>>(escalation_mu_);
  cmd->Hold(lock);
  ASSIGN_OR_RETURN(auto stored, store_.GetWideAreaIssue(id));
  v1::WideAreaIssue w = stored ? *stored : v1::WideAreaIssue();
  // Events of one issue arrive in order; a step completed before an older event is not undone.
  if (stored &&
      (stored->cycle() > cycle || (stored->cycle() == cycle && stored->current_step() > step))) {
    return absl::OkStatus();
  }
  w.set_prefecture_issue_id(id);
  w.set_prefecture_code(prefecture_code);
  *w.mutable_theme_tags() = *tags;
  *w.mutable_related_municipality_codes() = *related;
  w.set_current_step(step);
  w.set_cycle(cycle);
  w.set_status(status);
  if (ours) w.set_origin_issue_id(origin_issue_id);
  *w.mutable_updated_at() = event.occurred_at();
  store_.PutWideAreaIssue(&cmd->batch(), w);
  if (!ours) return absl::OkStatus();

  cmd->Hold(locks_.LockShared(origin_issue_id));
  auto issue = store_.GetIssue(origin_issue_id);
  if (absl::IsNotFound(issue.status())) return absl::OkStatus();
  if (!issue.ok()) return issue.status();
  const auto* p = common::Jurisdictions::Get().FindPrefecture(prefecture_code);
  Change ch;
  ch.action = "wide_area_status";
  ch.detail =
      std::string(p ? p->name : prefecture_code) +
      (event.has_issue_opened()
           ? "で広域課題として受け付けられました (" + id + ")"
           : "の広域課題がステップ" + std::to_string(event.issue_step_completed().step()) + "「" +
                 common::StepName(event.issue_step_completed().step()) + "」を完了しました");
  *issue->mutable_wide_area() = w;
  common::NextVersion(&*issue, *clock_);
  Stage(*issue, ch, cmd);
  return absl::OkStatus();
}

absl::StatusOr<v1::ListWideAreaIssuesResponse> Issues::ListWideAreaIssues() const {
  v1::ListWideAreaIssuesResponse out;
  RETURN_IF_ERROR(store_.ForEachWideAreaIssue([&](const v1::WideAreaIssue& w) {
    *out.add_issues() = w;
    return true;
  }));
  std::sort(out.mutable_issues()->begin(), out.mutable_issues()->end(),
            [](const v1::WideAreaIssue& a, const v1::WideAreaIssue& b) {
              return a.updated_at().seconds() != b.updated_at().seconds()
                         ? a.updated_at().seconds() > b.updated_at().seconds()
                         : a.updated_at().nanos() > b.updated_at().nanos();
            });
  return out;
}

absl::StatusOr<v1::Worksheet> Issues::ExportWorksheet(const v1::ExportWorksheetRequest& r) const {
  FieldViolations v;
  v.CheckEnum("format", r.format(), v1::WorksheetFormat_IsValid, true);
  RETURN_IF_ERROR(v.ToStatus());
  RETURN_IF_ERROR(CheckId("iss", r.id(), "id"));
  ASSIGN_OR_RETURN(v1::RegionalIssue issue, store_.GetIssue(r.id()));
  return RenderWorksheet(issue, r.format());
}

}  // namespace renkei::issues

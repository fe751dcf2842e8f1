#include "issues.h"

#include <algorithm>
#include <cctype>

#include "absl/strings/escaping.h"
#include "issue_rules.h"
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
#include "worksheet.h"

namespace renkei::issues {

Issues::Issues(common::Store* store, common::Outbox* outbox, const common::RecordSealer* sealer,
               common::EventSource events, IssuesOptions options, const common::Clock* clock)
    : options_(std::move(options)),
      clock_(clock),
      events_([&] {
        events.clock = clock;
        return events;
      }()),
      store_(store, sealer),
      raw_store_(store),
      outbox_(outbox),
      clusterer_(&store_, events_, options_.clustering) {}

absl::Status Issues::Load() {
  index_.Clear();
  return store_.ForEachIssue([&](const v1::RegionalIssue& issue) {
    index_.Put(issue);
    return true;
  });
}

v1::EventEnvelope Issues::NewEvent(const v1::RegionalIssue& issue) const {
  return common::NewEvent(events_, "issue", issue.id(), issue.version(), v1::SHARE_LEVEL_PREFECTURE,
                          issue.municipality_code());
}

v1::RegionalIssue Issues::NewIssue(const std::string& theme) const {
  v1::RegionalIssue issue;
  issue.set_id(common::NewId("iss", *clock_));
  issue.set_municipality_code(options_.jurisdiction_code);
  issue.set_theme(Trimmed(theme));
  issue.set_scope(options_.prefecture ? v1::ISSUE_SCOPE_WIDE_AREA : v1::ISSUE_SCOPE_MUNICIPAL);
  issue.set_status(v1::ISSUE_STATUS_OPEN);
  issue.set_current_step(1);
  issue.set_cycle(1);
  issue.set_version(1);
  *issue.mutable_created_at() = clock_->NowTimestamp();
  *issue.mutable_updated_at() = issue.created_at();
  return issue;
}

void Issues::AddOpenedEvent(const v1::RegionalIssue& issue, Change* change) const {
  auto e = NewEvent(issue);
  e.set_share_level(v1::SHARE_LEVEL_NATIONAL);
  auto* p = e.mutable_issue_opened();
  p->set_issue_id(issue.id());
  p->set_municipality_code(issue.municipality_code());
  *p->mutable_theme_tags() = issue.theme_tags();
  p->set_scope(issue.scope());
  p->set_candidate_id(issue.candidate_id());
  p->set_origin_instance(issue.origin_instance());
  p->set_origin_issue_id(issue.origin_issue_id());
  *p->mutable_related_municipality_codes() = issue.related_municipality_codes();
  change->events.push_back(std::move(e));
}

void Issues::Stage(const v1::RegionalIssue& issue, const Change& change,
                   common::CommandBatch* cmd) {
  v1::IssueHistoryEntry entry;
  entry.set_version(issue.version());
  *entry.mutable_at() = issue.updated_at();
  entry.set_action(change.action);
  entry.set_detail(change.detail);
  store_.PutIssue(&cmd->batch(), issue, entry);
  for (auto e : change.events) {
    e.set_aggregate_version(issue.version());
    cmd->AddEvent(e);
  }
  cmd->OnCommitted([this, issue] { index_.Put(issue); });
}

namespace {

// A closed issue takes no change (the kernel's state rule: FAILED_PRECONDITION).
absl::Status RefuseClosed(const v1::RegionalIssue& issue) {
  if (issue.status() != v1::ISSUE_STATUS_CLOSED) return absl::OkStatus();
  return common::NotAllowedNow("id", "終了した課題は変更できません / the issue is closed");
}

}  // namespace

absl::StatusOr<v1::RegionalIssue> Issues::Mutate(
    const std::string& id, int64_t expected_version,
    const std::function<absl::Status(v1::RegionalIssue*, Change*)>& change) {
  RETURN_IF_ERROR(CheckId("iss", id, "id"));
  RETURN_IF_ERROR(CheckExpectedVersion(expected_version));
  auto guard = locks_.Lock(id);
  ASSIGN_OR_RETURN(
      v1::RegionalIssue issue,
      common::LoadForChange(store_.issues(), id, expected_version, {.state = RefuseClosed}));
  Change ch;
  RETURN_IF_ERROR(change(&issue, &ch));
  common::NextVersion(&issue, *clock_);
  common::CommandBatch cmd(raw_store_, outbox_);
  Stage(issue, ch, &cmd);
  cmd.SetAnswer(issue);
  RETURN_IF_ERROR(cmd.Commit());
  return issue;
}

// --- issues ---------------------------------------------------------------------------------

absl::StatusOr<v1::RegionalIssue> Issues::CreateIssue(const v1::CreateIssueRequest& r) {
  FieldViolations v;
  v.CheckText("theme", r.theme(), {.required = true, .max_chars = 200});
  ValidateThemeTags(r.theme_tags(), &v);
  ValidateScope(r.scope(), r.related_municipality_codes(), "", &v);
  RETURN_IF_ERROR(v.ToStatus());
  v1::RegionalIssue issue = NewIssue(r.theme());
  for (const auto& t : r.theme_tags()) AddUnique(issue.mutable_theme_tags(), NormalizeThemeTag(t));
  if (r.scope() != v1::ISSUE_SCOPE_UNSPECIFIED) issue.set_scope(r.scope());
  *issue.mutable_related_municipality_codes() = r.related_municipality_codes();
  Change ch{"opened", "課題を登録しました", {}};
  AddOpenedEvent(issue, &ch);
  common::CommandBatch cmd(raw_store_, outbox_);
  Stage(issue, ch, &cmd);
  cmd.SetAnswer(issue);
  RETURN_IF_ERROR(cmd.Commit());
  return issue;
}

absl::StatusOr<v1::IssueWithHistory> Issues::GetIssue(const v1::GetIssueRequest& r) const {
  RETURN_IF_ERROR(CheckId("iss", r.id(), "id"));
  v1::IssueWithHistory out;
  ASSIGN_OR_RETURN(*out.mutable_issue(), store_.GetIssue(r.id()));
  ASSIGN_OR_RETURN(auto history, store_.History(r.id()));
  for (auto& h : history) *out.add_history() = std::move(h);
  return out;
}

absl::StatusOr<v1::ListIssuesResponse> Issues::ListIssues(const v1::ListIssuesRequest& r) const {
  FieldViolations v;
  v.CheckEnum("status", r.status(), v1::IssueStatus_IsValid, true);
  v.CheckEnum("scope", r.scope(), v1::IssueScope_IsValid, true);
  if (r.step() < 0 || r.step() > kSteps) v.Add("step", "0〜7 です / must be 0..7");
  v.CheckText("theme_tag", r.theme_tag(), {.max_chars = 100});
  v.CheckText("text", r.text(), {.max_chars = 100});
  if (r.page_size() < 0 || r.page_size() > 200) v.Add("page_size", "1〜200 です / must be 1..200");
  RETURN_IF_ERROR(v.ToStatus());
  IssueIndex::Query q;
  q.status = r.status();
  q.step = r.step();
  q.scope = r.scope();
  q.theme_tag = NormalizeThemeTag(r.theme_tag());
  q.normalized_text = common::NormalizeForSearch(r.text());
  q.limit = r.page_size() == 0 ? 50 : r.page_size();
  q.page_token = r.page_token();
  return index_.List(q);
}

}  // namespace renkei::issues

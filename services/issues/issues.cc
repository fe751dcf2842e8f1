#include "issues.h"

#include <algorithm>
#include <cctype>

#include "absl/strings/escaping.h"
#include "issue_rules.h"
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
namespace {

using common::FieldViolations;

constexpr int kMaxEvidence = 100;
constexpr int kMaxIssueOptions = 10;
constexpr int kMaxThemeTags = 10;

absl::Status CheckId(const std::string& prefix, const std::string& id, const std::string& field) {
  if (!common::IsWellFormedId(prefix, id)) {
    return common::InvalidField(field,
                                "IDの形式が不正です (" + prefix + "_ + 26文字) / malformed id");
  }
  return absl::OkStatus();
}

absl::Status CheckExpectedVersion(int64_t v) {
  if (v < 1)
    return common::InvalidField("expected_version", "1 以上です (読み込んだ版) / must be ≥ 1");
  return absl::OkStatus();
}

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
  if (issue.status() == v1::ISSUE_STATUS_CLOSED) {
    return common::NotAllowedNow("id", "終了した課題は変更できません / the issue is closed");
  }
  if (issue.status() == v1::ISSUE_STATUS_OPEN && issue.current_step() < step) {
    return common::InvalidField(field, "ステップ" + std::to_string(step) + "「" +
                                           std::string(StepName(step)) +
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
  std::string tags;
  for (const auto& t : s.tags()) {
    if (t == "resource_gap") continue;
    tags += (tags.empty() ? "" : "、") + t;
  }
  if (!s.seed_id().empty()) {
    e.set_kind(v1::EVIDENCE_KIND_SEED);
    e.set_reference(s.seed_id() + " (" + s.consultation_id() + ")");
    e.set_summary("相談から挙がった地域課題のタネ" +
                  (tags.empty() ? std::string() : " (" + tags + ")") +
                  (s.capability().empty() ? std::string() : " 対応内容: " + s.capability()));
  } else {
    e.set_kind(v1::EVIDENCE_KIND_CONSULTATION);
    e.set_reference(s.consultation_id());
    e.set_summary("相談で地域内に資源が見つからなかった (対応内容: " + s.capability() + ")");
  }
  return e;
}

std::string CauseSummary(const v1::RegionalIssue& issue) {
  int mains = 0;
  for (const auto& c : issue.causes()) mains += c.main();
  return "要因 " + std::to_string(issue.causes_size()) + " 件" +
         (mains == 1 ? " (主たる原因あり)" : "");
}

}  // namespace

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

absl::StatusOr<v1::RegionalIssue> Issues::Mutate(
    const std::string& id, int64_t expected_version,
    const std::function<absl::Status(v1::RegionalIssue*, Change*)>& change) {
  RETURN_IF_ERROR(CheckId("iss", id, "id"));
  RETURN_IF_ERROR(CheckExpectedVersion(expected_version));
  auto guard = locks_.Lock(id);
  ASSIGN_OR_RETURN(v1::RegionalIssue issue,
                   common::LoadForChange(store_.issues(), id, expected_version, {}));
  Change ch;
  RETURN_IF_ERROR(change(&issue, &ch));
  common::NextVersion(&issue, *clock_);
  common::CommandBatch cmd(raw_store_, outbox_);
  Stage(issue, ch, &cmd);
  cmd.SetAnswer(issue);
  RETURN_IF_ERROR(cmd.Commit());
  return issue;
}

// --- candidates -----------------------------------------------------------------------------

absl::StatusOr<v1::ListCandidatesResponse> Issues::ListCandidates(
    const v1::ListCandidatesRequest& r) const {
  FieldViolations v;
  v.CheckEnum("status", r.status(), v1::CandidateStatus_IsValid, true);
  RETURN_IF_ERROR(v.ToStatus());
  const auto wanted =
      r.status() == v1::CANDIDATE_STATUS_UNSPECIFIED ? v1::CANDIDATE_STATUS_PROPOSED : r.status();
  v1::ListCandidatesResponse out;
  RETURN_IF_ERROR(store_.ForEachCandidate([&](const v1::IssueCandidate& c) {
    if (c.status() == wanted) *out.add_candidates() = c;
    return true;
  }));
  std::sort(out.mutable_candidates()->begin(), out.mutable_candidates()->end(),
            [](const v1::IssueCandidate& a, const v1::IssueCandidate& b) {
              const int64_t ta = common::MicrosFromTimestamp(a.proposed_at());
              const int64_t tb = common::MicrosFromTimestamp(b.proposed_at());
              return ta != tb ? ta > tb : a.id() > b.id();
            });
  return out;
}

absl::StatusOr<v1::IssueCandidate> Issues::OpenCandidate(const std::string& id,
                                                         int64_t expected_version) const {
  RETURN_IF_ERROR(CheckId("cand", id, "candidate_id"));
  RETURN_IF_ERROR(CheckExpectedVersion(expected_version));
  return common::LoadForChange(
      store_.candidates(), id, expected_version,
      {.id_field = "candidate_id", .state = [](const v1::IssueCandidate& c) {
         return c.status() == v1::CANDIDATE_STATUS_PROPOSED
                    ? absl::OkStatus()
                    : common::NotAllowedNow(
                          "candidate_id",
                          "この課題候補は処理済みです / the candidate was already handled");
       }});
}

absl::Status Issues::ResetClusters(const v1::IssueCandidate& candidate,
                                   common::Batch* batch) const {
  for (const auto& key : candidate.cluster_keys()) {
    ASSIGN_OR_RETURN(std::optional<v1::ClusterState> state, store_.GetCluster(key));
    if (!state || state->candidate_id() != candidate.id()) continue;
    state->clear_candidate_id();
    *state->mutable_reset_at() = clock_->NowTimestamp();
    store_.PutCluster(batch, *state);
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::RegionalIssue> Issues::AcceptCandidate(const v1::AcceptCandidateRequest& r) {
  FieldViolations v;
  v.CheckText("theme", r.theme(), {.required = true, .max_chars = 200});
  ValidateScope(r.scope(), r.related_municipality_codes(), "", &v);
  RETURN_IF_ERROR(v.ToStatus());
  std::lock_guard lock(candidates_mu_);
  ASSIGN_OR_RETURN(v1::IssueCandidate candidate,
                   OpenCandidate(r.candidate_id(), r.expected_version()));

  v1::RegionalIssue issue = NewIssue(r.theme());
  if (r.scope() != v1::ISSUE_SCOPE_UNSPECIFIED) issue.set_scope(r.scope());
  *issue.mutable_related_municipality_codes() = r.related_municipality_codes();
  *issue.mutable_theme_tags() = candidate.cluster_keys();
  issue.set_candidate_id(candidate.id());
  for (const auto& s : candidate.evidence()) {
    if (issue.evidence_size() < kMaxEvidence) *issue.add_evidence() = EvidenceOfSeed(s);
  }
  Change ch{"opened_from_candidate",
            "課題候補 " + candidate.id() + " から課題にしました (根拠 " +
                std::to_string(candidate.evidence_size()) + " 件)",
            {}};
  AddOpenedEvent(issue, &ch);

  candidate.set_status(v1::CANDIDATE_STATUS_ACCEPTED);
  candidate.set_issue_id(issue.id());
  candidate.set_version(candidate.version() + 1);
  common::CommandBatch cmd(raw_store_, outbox_);
  store_.PutCandidate(&cmd.batch(), candidate);
  RETURN_IF_ERROR(ResetClusters(candidate, &cmd.batch()));
  Stage(issue, ch, &cmd);
  cmd.SetAnswer(issue);
  RETURN_IF_ERROR(cmd.Commit());
  return issue;
}

absl::StatusOr<v1::IssueCandidate> Issues::MergeCandidate(const v1::MergeCandidateRequest& r) {
  if (r.into_case() == v1::MergeCandidateRequest::INTO_NOT_SET) {
    return common::InvalidField(
        "into",
        "統合先 (candidate_id_into か issue_id_into) を指定してください / give "
        "candidate_id_into or issue_id_into");
  }
  std::lock_guard lock(candidates_mu_);
  ASSIGN_OR_RETURN(v1::IssueCandidate source,
                   OpenCandidate(r.candidate_id(), r.expected_version()));
  common::CommandBatch cmd(raw_store_, outbox_);
  source.set_status(v1::CANDIDATE_STATUS_MERGED);
  source.set_version(source.version() + 1);

  if (r.into_case() == v1::MergeCandidateRequest::kCandidateIdInto) {
    RETURN_IF_ERROR(CheckId("cand", r.candidate_id_into(), "candidate_id_into"));
    if (r.candidate_id_into() == source.id()) {
      return common::InvalidField("candidate_id_into",
                                  "同じ課題候補には統合できません / cannot merge into itself");
    }
    ASSIGN_OR_RETURN(v1::IssueCandidate target, store_.GetCandidate(r.candidate_id_into()));
    if (target.status() != v1::CANDIDATE_STATUS_PROPOSED) {
      return common::NotAllowedNow(
          "candidate_id_into", "統合先の課題候補は処理済みです / the target was already handled");
    }
    for (const auto& key : source.cluster_keys()) AddUnique(target.mutable_cluster_keys(), key);
    for (const auto& e : source.evidence()) {
      bool have = std::any_of(
          target.evidence().begin(), target.evidence().end(),
          [&](const v1::SeedEvidence& t) { return t.consultation_id() == e.consultation_id(); });
      if (!have) *target.add_evidence() = e;
    }
    target.set_version(target.version() + 1);
    source.set_merged_into(target.id());
    store_.PutCandidate(&cmd.batch(), target);
    // The clusters keep feeding the merged candidate.
    for (const auto& key : source.cluster_keys()) {
      ASSIGN_OR_RETURN(std::optional<v1::ClusterState> state, store_.GetCluster(key));
      if (!state || state->candidate_id() != source.id()) continue;
      state->set_candidate_id(target.id());
      store_.PutCluster(&cmd.batch(), *state);
    }
    store_.PutCandidate(&cmd.batch(), source);
    cmd.SetAnswer(source);
    RETURN_IF_ERROR(cmd.Commit());
    return source;
  }

  RETURN_IF_ERROR(CheckId("iss", r.issue_id_into(), "issue_id_into"));
  auto guard = locks_.Lock(r.issue_id_into());
  ASSIGN_OR_RETURN(v1::RegionalIssue issue, store_.GetIssue(r.issue_id_into()));
  if (issue.status() == v1::ISSUE_STATUS_CLOSED) {
    return common::NotAllowedNow("issue_id_into",
                                 "終了した課題には統合できません / the issue is closed");
  }
  int added = 0;
  for (const auto& s : source.evidence()) {
    v1::Evidence e = EvidenceOfSeed(s);
    bool have = std::any_of(issue.evidence().begin(), issue.evidence().end(),
                            [&](const v1::Evidence& x) { return x.reference() == e.reference(); });
    if (!have && issue.evidence_size() < kMaxEvidence) {
      *issue.add_evidence() = std::move(e);
      ++added;
    }
  }
  for (const auto& key : source.cluster_keys()) AddUnique(issue.mutable_theme_tags(), key);
  common::NextVersion(&issue, *clock_);
  source.set_issue_id(issue.id());
  store_.PutCandidate(&cmd.batch(), source);
  RETURN_IF_ERROR(ResetClusters(source, &cmd.batch()));
  Stage(issue,
        {"candidate_merged",
         "課題候補 " + source.id() + " を統合しました (根拠 +" + std::to_string(added) + " 件)",
         {}},
        &cmd);
  cmd.SetAnswer(source);
  RETURN_IF_ERROR(cmd.Commit());
  return source;
}

absl::StatusOr<v1::IssueCandidate> Issues::DismissCandidate(const v1::DismissCandidateRequest& r) {
  FieldViolations v;
  v.CheckText("reason", r.reason(), {.required = true, .max_chars = 500, .single_line = false});
  RETURN_IF_ERROR(v.ToStatus());
  std::lock_guard lock(candidates_mu_);
  ASSIGN_OR_RETURN(v1::IssueCandidate c, OpenCandidate(r.candidate_id(), r.expected_version()));
  c.set_status(v1::CANDIDATE_STATUS_DISMISSED);
  c.set_dismissal_reason(Trimmed(r.reason()));
  c.set_version(c.version() + 1);
  common::CommandBatch cmd(raw_store_, outbox_);
  store_.PutCandidate(&cmd.batch(), c);
  RETURN_IF_ERROR(ResetClusters(c, &cmd.batch()));
  cmd.SetAnswer(c);
  RETURN_IF_ERROR(cmd.Commit());
  return c;
}

absl::Status Issues::ApplySeedEvent(const v1::EventEnvelope& event, common::CommandBatch* cmd) {
  if (options_.prefecture) return absl::OkStatus();
  auto lock = std::make_shared<std::unique_lock<std::mutex>>(candidates_mu_);
  cmd->Hold(lock);
  return clusterer_.Apply(event, cmd);
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
          "根拠を置き換えるには replace_evidence を指定してください / set replace_evidence");
  }
  v.CheckCount("evidence", r.evidence_size(), kMaxEvidence);
  for (int i = 0; i < r.evidence_size() && i < kMaxEvidence; ++i) {
    ValidateEvidence(r.evidence(i), "evidence[" + std::to_string(i) + "]", &v);
  }
  if (!r.replace_issue_options() && r.issue_options_size() > 0) {
    v.Add("replace_issue_options",
          "課題案を置き換えるには replace_issue_options を指定してください / set "
          "replace_issue_options");
  }
  v.CheckCount("issue_options", r.issue_options_size(), kMaxIssueOptions);
  for (int i = 0; i < r.issue_options_size() && i < kMaxIssueOptions; ++i) {
    v.CheckText("issue_options[" + std::to_string(i) + "]", r.issue_options(i),
                {.required = true, .max_chars = 500});
  }
  if (r.has_chosen_issue()) v.CheckText("chosen_issue", r.chosen_issue(), {.max_chars = 500});
  if (!r.replace_causes() && r.causes_size() > 0) {
    v.Add("replace_causes",
          "要因を置き換えるには replace_causes を指定してください / set replace_causes");
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
          "関係市町村を置き換えるには replace_related_municipalities を指定して"
          "ください / set replace_related_municipalities");
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
        if (issue->status() == v1::ISSUE_STATUS_CLOSED) {
          return common::InvalidField("status",
                                      "終了した課題は変更できません / the issue is closed");
        }
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
              "主たる原因を選び、ステップ4「要因分析」を完了してから対策を立ててください "
              "(現在はステップ" +
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
              (audiences.empty() ? "" : "、") + std::string(AudienceLabel(v1::AudienceRole(a)));
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
          parts.push_back(std::string(CountermeasureStatusLabel(it->status())) + " → " +
                          std::string(CountermeasureStatusLabel(r.status())));
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
  return Mutate(r.id(), r.expected_version(),
                [&](v1::RegionalIssue* issue, Change* ch) -> absl::Status {
                  if (issue->status() == v1::ISSUE_STATUS_OPEN && issue->current_step() < 5) {
                    return common::InvalidField("expected_change",
                                                "期待値は対策と一緒に決めます。ステップ5「対策立案"
                                                "」から記入してください (現在はステップ" +
                                                    std::to_string(issue->current_step()) +
                                                    ") / available from step 5");
                  }
                  RETURN_IF_ERROR(RequireStep(*issue, 5, "expected_change"));
                  if (issue->expected_changes_size() >= kMaxExpectedChanges) {
                    return common::InvalidField(
                        "expected_change", "期待値は20件までです / at most 20 expected changes");
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
        if (issue->status() != v1::ISSUE_STATUS_OPEN) {
          return common::InvalidField(
              "status",
              "効果確認は完了しています。次のサイクルを始めてください (StartNewCycle) / "
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
        ch->detail = "ステップ" + std::to_string(step) + "「" + std::string(StepName(step)) +
                     "」を完了しました" + (step == kSteps ? " (効果確認済み)" : "");
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
        if (issue->status() == v1::ISSUE_STATUS_CLOSED) {
          return common::InvalidField("status",
                                      "終了した課題は変更できません / the issue is closed");
        }
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
        ch->detail = "ステップ" + std::to_string(from) + (evaluated ? " (効果確認済み)" : "") +
                     "からステップ" + std::to_string(r.step()) + "「" +
                     std::string(StepName(r.step())) + "」に戻りました。理由: " + t->reason();
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
        if (issue->status() == v1::ISSUE_STATUS_CLOSED) {
          return common::InvalidField("status",
                                      "終了した課題は上げられません / the issue is closed");
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
                 std::string(StepName(event.issue_step_completed().step())) + "」を完了しました");
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

// --- meetings -------------------------------------------------------------------------------

namespace {

void NormalizeMeeting(v1::Meeting* m, const common::Clock& clock) {
  m->set_title(Trimmed(m->title()));
  for (auto& a : *m->mutable_action_items()) {
    if (a.id().empty()) a.set_id(common::NewId("act", clock));
  }
}

}  // namespace

absl::StatusOr<v1::Meeting> Issues::RecordMeeting(const v1::RecordMeetingRequest& r) {
  FieldViolations v;
  ValidateMeeting(r.meeting(), "meeting", &v);
  v.CheckOwnCode("meeting.municipality_code", r.meeting().municipality_code(),
                 options_.jurisdiction_code);
  if (!r.meeting().id().empty())
    v.Add("meeting.id", "新しい会議にIDは指定しません / assigned by the service");
  for (int i = 0; i < r.meeting().issue_ids_size() && i < 50; ++i) {
    const std::string field = "meeting.issue_ids[" + std::to_string(i) + "]";
    if (!common::IsWellFormedId("iss", r.meeting().issue_ids(i))) {
      v.Add(field, "IDの形式が不正です (iss_ + 26文字) / malformed id");
    } else if (!store_.GetIssue(r.meeting().issue_ids(i)).ok()) {
      v.Add(field, "課題が見つかりません / no such issue");
    }
  }
  RETURN_IF_ERROR(v.ToStatus());
  v1::Meeting m = r.meeting();
  m.set_id(common::NewId("mtg", *clock_));
  m.set_municipality_code(options_.jurisdiction_code);
  m.set_version(1);
  *m.mutable_updated_at() = clock_->NowTimestamp();
  NormalizeMeeting(&m, *clock_);
  common::CommandBatch cmd(raw_store_, outbox_);
  store_.PutMeeting(&cmd.batch(), m);
  auto e = common::NewEvent(events_, "meeting", m.id(), m.version(), v1::SHARE_LEVEL_PREFECTURE,
                            m.municipality_code());
  auto* p = e.mutable_meeting_recorded();
  p->set_meeting_id(m.id());
  p->set_municipality_code(m.municipality_code());
  p->set_body(m.body());
  *p->mutable_date() = m.date();
  *p->mutable_issue_ids() = m.issue_ids();
  cmd.AddEvent(e);
  cmd.SetAnswer(m);
  RETURN_IF_ERROR(cmd.Commit());
  return m;
}

absl::StatusOr<v1::Meeting> Issues::UpdateMeeting(const v1::UpdateMeetingRequest& r) {
  FieldViolations v;
  ValidateMeeting(r.meeting(), "meeting", &v);
  v.CheckOwnCode("meeting.municipality_code", r.meeting().municipality_code(),
                 options_.jurisdiction_code);
  for (int i = 0; i < r.meeting().issue_ids_size() && i < 50; ++i) {
    const std::string field = "meeting.issue_ids[" + std::to_string(i) + "]";
    if (!common::IsWellFormedId("iss", r.meeting().issue_ids(i))) {
      v.Add(field, "IDの形式が不正です (iss_ + 26文字) / malformed id");
    } else if (!store_.GetIssue(r.meeting().issue_ids(i)).ok()) {
      v.Add(field, "課題が見つかりません / no such issue");
    }
  }
  RETURN_IF_ERROR(v.ToStatus());
  RETURN_IF_ERROR(CheckId("mtg", r.meeting().id(), "meeting.id"));
  if (r.meeting().version() < 1)
    return common::InvalidField("meeting.version", "読み込んだ版を指定してください / required");
  auto guard = locks_.Lock(r.meeting().id());
  ASSIGN_OR_RETURN(v1::Meeting stored,
                   common::LoadForChange(store_.meetings(), r.meeting().id(), r.meeting().version(),
                                         {.id_field = "meeting.id"}));
  v1::Meeting m = r.meeting();
  m.set_municipality_code(stored.municipality_code());
  common::NextVersion(&m, *clock_);
  NormalizeMeeting(&m, *clock_);
  common::CommandBatch cmd(raw_store_, outbox_);
  store_.PutMeeting(&cmd.batch(), m);
  auto e = common::NewEvent(events_, "meeting", m.id(), m.version(), v1::SHARE_LEVEL_PREFECTURE,
                            m.municipality_code());
  auto* p = e.mutable_meeting_recorded();
  p->set_meeting_id(m.id());
  p->set_municipality_code(m.municipality_code());
  p->set_body(m.body());
  *p->mutable_date() = m.date();
  *p->mutable_issue_ids() = m.issue_ids();
  cmd.AddEvent(e);
  cmd.SetAnswer(m);
  RETURN_IF_ERROR(cmd.Commit());
  return m;
}

absl::StatusOr<v1::Meeting> Issues::GetMeeting(const v1::GetMeetingRequest& r) const {
  RETURN_IF_ERROR(CheckId("mtg", r.id(), "id"));
  return store_.GetMeeting(r.id());
}

absl::StatusOr<v1::ListMeetingsResponse> Issues::ListMeetings(
    const v1::ListMeetingsRequest& r) const {
  FieldViolations v;
  if (!r.issue_id().empty() && !common::IsWellFormedId("iss", r.issue_id())) {
    v.Add("issue_id", "IDの形式が不正です (iss_ + 26文字) / malformed id");
  }
  v.CheckDate("from", r.from().year(), r.from().month(), r.from().day());
  v.CheckDate("to", r.to().year(), r.to().month(), r.to().day());
  const int32_t from = r.from().year() ? common::DateNumber(r.from()) : 0;
  const int32_t to = r.to().year() ? common::DateNumber(r.to()) : 99999999;
  if (v.empty() && to < from) v.Add("to", "from より前です / before from");
  RETURN_IF_ERROR(v.ToStatus());
  v1::ListMeetingsResponse out;
  RETURN_IF_ERROR(store_.ForEachMeeting([&](const v1::Meeting& m) {
    const int32_t d = common::DateNumber(m.date());
    if (d < from || d > to) return true;
    if (!r.issue_id().empty() && std::find(m.issue_ids().begin(), m.issue_ids().end(),
                                           r.issue_id()) == m.issue_ids().end()) {
      return true;
    }
    *out.add_meetings() = m;
    return true;
  }));
  std::sort(out.mutable_meetings()->begin(), out.mutable_meetings()->end(),
            [](const v1::Meeting& a, const v1::Meeting& b) {
              const int32_t da = common::DateNumber(a.date()), db = common::DateNumber(b.date());
              return da != db ? da > db : a.id() > b.id();
            });
  return out;
}

}  // namespace renkei::issues

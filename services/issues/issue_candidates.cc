// Issues: candidates raised from seeds (list, accept, merge, dismiss).
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
#include "worksheet.h"

namespace renkei::issues {

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
    return common::InvalidField("into",
                                "統合先の候補か課題を指定してください / give "
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

}  // namespace renkei::issues

// The issues service's domain logic, independent of gRPC (issues_service.h is the edge).
//
// Every command loads the record, checks the caller's expected_version (ABORTED when stale),
// applies the change, appends an entry to the issue's history and writes it with its events as
// one synced batch; nothing is written when a check fails. Changes to one issue are serialized by
// striped locks; candidates and clusters by one mutex, which the seed consumer holds too.
//
// Step rules. Content belongs to a step: target state 1; current state and evidence 2; issue
// options and the chosen issue 3; causes and root cause 4; countermeasures and expected changes
// 5 (planned together, worksheet 問4–問5). Content can be written from its step on, and editing a
// completed step must leave it complete. AdvanceStep completes the current step when its gate
// holds (issue_rules.h); completing step 7 makes the issue EVALUATED, and StartNewCycle begins
// the next cycle at step 1 with everything carried forward. ReturnToStep goes back, recorded with
// its reason.
//
// Lists of issues are answered from an in-memory index of summaries, built at start-up and
// updated after each commit.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "clustering.h"
#include "issue_index.h"
#include "issue_store.h"
#include "renkei/common/clock.h"
#include "renkei/common/events.h"
#include "renkei/common/locks.h"
#include "renkei/common/outbox.h"

namespace renkei::issues {

struct IssuesOptions {
  // The owning jurisdiction: a municipality's code, or a prefecture's 6-digit code.
  std::string jurisdiction_code;
  bool prefecture = false;
  ClusteringOptions clustering;
};

class Issues {
 public:
  Issues(common::Store* store, common::Outbox* outbox, const common::RecordSealer* sealer,
         common::EventSource events, IssuesOptions options,
         const common::Clock* clock = common::SystemClock::Get());

  // Builds the list index from the store. Call once before serving.
  absl::Status Load();

  absl::StatusOr<v1::ListCandidatesResponse> ListCandidates(
      const v1::ListCandidatesRequest& request) const;
  absl::StatusOr<v1::RegionalIssue> AcceptCandidate(const v1::AcceptCandidateRequest& request);
  absl::StatusOr<v1::IssueCandidate> MergeCandidate(const v1::MergeCandidateRequest& request);
  absl::StatusOr<v1::IssueCandidate> DismissCandidate(const v1::DismissCandidateRequest& request);

  absl::StatusOr<v1::RegionalIssue> CreateIssue(const v1::CreateIssueRequest& request);
  absl::StatusOr<v1::IssueWithHistory> GetIssue(const v1::GetIssueRequest& request) const;
  absl::StatusOr<v1::ListIssuesResponse> ListIssues(const v1::ListIssuesRequest& request) const;
  absl::StatusOr<v1::RegionalIssue> UpdateIssue(const v1::UpdateIssueRequest& request);
  absl::StatusOr<v1::RegionalIssue> AddCountermeasure(const v1::AddCountermeasureRequest& request);
  absl::StatusOr<v1::RegionalIssue> UpdateCountermeasure(
      const v1::UpdateCountermeasureRequest& request);
  absl::StatusOr<v1::RegionalIssue> AddExpectedChange(const v1::AddExpectedChangeRequest& request);
  absl::StatusOr<v1::RegionalIssue> UpdateExpectedChange(
      const v1::UpdateExpectedChangeRequest& request);
  absl::StatusOr<v1::RegionalIssue> AdvanceStep(const v1::AdvanceStepRequest& request);
  absl::StatusOr<v1::RegionalIssue> ReturnToStep(const v1::ReturnToStepRequest& request);
  absl::StatusOr<v1::RegionalIssue> StartNewCycle(const v1::StartNewCycleRequest& request);
  absl::StatusOr<v1::RegionalIssue> EscalateIssue(const v1::EscalateIssueRequest& request);
  absl::StatusOr<v1::Worksheet> ExportWorksheet(const v1::ExportWorksheetRequest& request) const;

  absl::StatusOr<v1::Meeting> RecordMeeting(const v1::RecordMeetingRequest& request);
  absl::StatusOr<v1::Meeting> UpdateMeeting(const v1::UpdateMeetingRequest& request);
  absl::StatusOr<v1::Meeting> GetMeeting(const v1::GetMeetingRequest& request) const;
  absl::StatusOr<v1::ListMeetingsResponse> ListMeetings(
      const v1::ListMeetingsRequest& request) const;

  // Event handlers for durable consumers (common/consumer.h): each adds its effect to the batch
  // and keeps its locks in it until the consumer has committed.
  // issue_seed_raised / resource_gap_found of this municipality -> clusters and candidates.
  absl::Status ApplySeedEvent(const v1::EventEnvelope& event, common::CommandBatch* cmd);
  // issue_escalated to this prefecture -> a linked wide-area issue (updated on re-escalation).
  absl::Status ApplyEscalation(const v1::EventEnvelope& event, common::CommandBatch* cmd);

  // Municipalities (federation): the prefecture's issue_opened / issue_step_completed of a
  // wide-area issue escalated from here or naming this municipality among the related ones
  // updates the WideAreaIssue kept here and, for an issue escalated from here, the issue's
  // wide_area status with a history entry. Other events are skipped.
  absl::Status ApplyWideAreaEvent(const v1::EventEnvelope& event, common::CommandBatch* cmd);
  absl::StatusOr<v1::ListWideAreaIssuesResponse> ListWideAreaIssues() const;

  const IssuesOptions& options() const { return options_; }

 private:
  using Events = std::vector<v1::EventEnvelope>;
  struct Change {
    std::string action;  // history action
    std::string detail;  // history detail (Japanese)
    Events events;
  };
  // Loads the issue, checks id and version (a closed issue is refused), lets `change` modify it,
  // then commits version + 1 with the history entry and the events.
  absl::StatusOr<v1::RegionalIssue> Mutate(
      const std::string& id, int64_t expected_version,
      const std::function<absl::Status(v1::RegionalIssue*, Change*)>& change);
  // Writes a changed issue (version already set) into the batch with its history entry, events,
  // and the index update after commit.
  void Stage(const v1::RegionalIssue& issue, const Change& change, common::CommandBatch* cmd);
  v1::EventEnvelope NewEvent(const v1::RegionalIssue& issue) const;
  v1::RegionalIssue NewIssue(const std::string& theme) const;
  void AddOpenedEvent(const v1::RegionalIssue& issue, Change* change) const;
  // Resets the clusters that fed the candidate (their seeds are spent).
  absl::Status ResetClusters(const v1::IssueCandidate& candidate, common::Batch* batch) const;
  // Loads a candidate that is still proposed, at the expected version.
  absl::StatusOr<v1::IssueCandidate> OpenCandidate(const std::string& id,
                                                   int64_t expected_version) const;

  IssuesOptions options_;
  const common::Clock* clock_;
  common::EventSource events_;
  IssueStore store_;
  common::Store* raw_store_;
  common::Outbox* outbox_;
  SeedClusterer clusterer_;
  common::StripedLocks locks_;
  std::mutex candidates_mu_;  // clusters and candidates
  std::mutex escalation_mu_;  // escalation links

  IssueIndex index_;
};

}  // namespace renkei::issues

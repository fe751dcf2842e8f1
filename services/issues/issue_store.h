// Persistence of the issues service. Callers build one CommandBatch per command from the Put*
// calls below (with the events) and commit it; reads go straight to RocksDB.
//
// Column families: "issues" (id -> RegionalIssue), "issue_history" ((id, version) ->
// IssueHistoryEntry), "candidates" (id -> IssueCandidate), "clusters" (key -> ClusterState),
// "meetings" (id -> Meeting), "escalation_links" ((origin instance, origin issue) ->
// EscalationLink), plus the outbox's and the inbox's. Every record is stored through
// common::RecordSealer, so its personal fields (meetings' minutes, opinions, decisions, action
// items) are sealed at rest. Thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "renkei/common/at_rest.h"
#include "renkei/common/store.h"
#include "renkei/common/table.h"
#include "renkei/v1/issues.pb.h"
#include "renkei/v1/storage.pb.h"

namespace renkei::issues {

class IssueStore {
 public:
  static std::vector<std::string> ColumnFamilies();
  IssueStore(common::Store* store, const common::RecordSealer* sealer);

  // NOT_FOUND (naming what) when absent.
  absl::StatusOr<v1::RegionalIssue> GetIssue(const std::string& id) const;
  // The issue and its history entry (keyed by the issue's version).
  void PutIssue(common::Batch* batch, const v1::RegionalIssue& issue,
                const v1::IssueHistoryEntry& entry) const;
  // Oldest first.
  absl::StatusOr<std::vector<v1::IssueHistoryEntry>> History(const std::string& issue_id) const;
  absl::Status ForEachIssue(const std::function<bool(const v1::RegionalIssue&)>& fn) const;

  absl::StatusOr<v1::IssueCandidate> GetCandidate(const std::string& id) const;
  void PutCandidate(common::Batch* batch, const v1::IssueCandidate& candidate) const;
  absl::Status ForEachCandidate(const std::function<bool(const v1::IssueCandidate&)>& fn) const;

  // Empty when the key has no state yet.
  absl::StatusOr<std::optional<v1::ClusterState>> GetCluster(const std::string& key) const;
  void PutCluster(common::Batch* batch, const v1::ClusterState& cluster) const;

  absl::StatusOr<v1::Meeting> GetMeeting(const std::string& id) const;
  void PutMeeting(common::Batch* batch, const v1::Meeting& meeting) const;
  absl::Status ForEachMeeting(const std::function<bool(const v1::Meeting&)>& fn) const;

  absl::StatusOr<std::optional<v1::EscalationLink>> GetEscalationLink(
      const std::string& origin_instance, const std::string& origin_issue_id) const;
  void PutEscalationLink(common::Batch* batch, const v1::EscalationLink& link) const;

  // Municipalities: the prefecture's wide-area issues ("wide_area_issues", by prefecture issue
  // id).
  absl::StatusOr<std::optional<v1::WideAreaIssue>> GetWideAreaIssue(const std::string& id) const;
  void PutWideAreaIssue(common::Batch* batch, const v1::WideAreaIssue& issue) const;
  absl::Status ForEachWideAreaIssue(const std::function<bool(const v1::WideAreaIssue&)>& fn) const;

  common::Store* store() const { return store_; }
  const common::Table<v1::RegionalIssue>& issues() const { return issues_; }
  const common::Table<v1::IssueCandidate>& candidates() const { return candidates_; }
  const common::Table<v1::Meeting>& meetings() const { return meetings_; }

 private:
  common::Store* store_;
  common::Table<v1::RegionalIssue> issues_;
  common::Table<v1::IssueHistoryEntry> history_;
  common::Table<v1::IssueCandidate> candidates_;
  common::Table<v1::ClusterState> clusters_;
  common::Table<v1::Meeting> meetings_;
  common::Table<v1::EscalationLink> links_;
  common::Table<v1::WideAreaIssue> wide_area_;
};

}  // namespace renkei::issues

#include "issue_store.h"

#include "renkei/common/consumer.h"
#include "renkei/common/errors.h"
#include "renkei/common/keys.h"
#include "renkei/common/outbox.h"
#include "renkei/common/status_macros.h"

namespace renkei::issues {
namespace {

constexpr char kIssues[] = "issues";
constexpr char kHistory[] = "issue_history";
constexpr char kCandidates[] = "candidates";
constexpr char kClusters[] = "clusters";
constexpr char kMeetings[] = "meetings";
constexpr char kLinks[] = "escalation_links";
constexpr char kWideArea[] = "wide_area_issues";

std::string HistoryKey(const std::string& issue_id, int64_t version) {
  return common::KeyBuilder().Str(issue_id).I64(version).Release();
}

std::string LinkKey(const std::string& origin_instance, const std::string& origin_issue_id) {
  return common::KeyBuilder().Str(origin_instance).Str(origin_issue_id).Release();
}

}  // namespace

std::vector<std::string> IssueStore::ColumnFamilies() {
  std::vector<std::string> cfs = {kIssues,   kHistory, kCandidates, kClusters,
                                  kMeetings, kLinks,   kWideArea};
  for (auto& cf : common::OutboxColumnFamilies()) cfs.push_back(cf);
  for (auto& cf : common::InboxColumnFamilies()) cfs.push_back(cf);
  return cfs;
}

IssueStore::IssueStore(common::Store* store, const common::RecordSealer* sealer)
    : store_(store),
      issues_(store, sealer, kIssues, {"課題", "issue"}),
      history_(store, sealer, kHistory, {"課題の履歴", "issue history entry"}),
      candidates_(store, sealer, kCandidates, {"課題候補", "candidate"}),
      clusters_(store, sealer, kClusters, {"クラスター", "cluster"}),
      meetings_(store, sealer, kMeetings, {"会議", "meeting"}),
      links_(store, sealer, kLinks, {"広域課題の連携", "escalation link"}),
      wide_area_(store, sealer, kWideArea, {"広域課題", "wide-area issue"}) {}

absl::StatusOr<v1::RegionalIssue> IssueStore::GetIssue(const std::string& id) const {
  return issues_.Get(id);
}

void IssueStore::PutIssue(common::Batch* batch, const v1::RegionalIssue& issue,
                          const v1::IssueHistoryEntry& entry) const {
  issues_.Put(batch, issue.id(), issue);
  history_.Put(batch, HistoryKey(issue.id(), entry.version()), entry);
}

absl::StatusOr<std::vector<v1::IssueHistoryEntry>> IssueStore::History(
    const std::string& issue_id) const {
  std::vector<v1::IssueHistoryEntry> out;
  RETURN_IF_ERROR(history_.ForEach(common::KeyBuilder().Str(issue_id).Build(),
                                   [&](std::string_view, const v1::IssueHistoryEntry& entry) {
                                     out.push_back(entry);
                                     return true;
                                   }));
  return out;
}

absl::Status IssueStore::ForEachIssue(
    const std::function<bool(const v1::RegionalIssue&)>& fn) const {
  return issues_.ForEach("", [&](std::string_view, const v1::RegionalIssue& i) { return fn(i); });
}

absl::StatusOr<v1::IssueCandidate> IssueStore::GetCandidate(const std::string& id) const {
  return candidates_.Get(id);
}

void IssueStore::PutCandidate(common::Batch* batch, const v1::IssueCandidate& candidate) const {
  candidates_.Put(batch, candidate.id(), candidate);
}

absl::Status IssueStore::ForEachCandidate(
    const std::function<bool(const v1::IssueCandidate&)>& fn) const {
  return candidates_.ForEach("",
                             [&](std::string_view, const v1::IssueCandidate& c) { return fn(c); });
}

absl::StatusOr<std::optional<v1::ClusterState>> IssueStore::GetCluster(
    const std::string& key) const {
  return clusters_.Find(key);
}

void IssueStore::PutCluster(common::Batch* batch, const v1::ClusterState& cluster) const {
  clusters_.Put(batch, cluster.key(), cluster);
}

absl::StatusOr<v1::Meeting> IssueStore::GetMeeting(const std::string& id) const {
  return meetings_.Get(id);
}

void IssueStore::PutMeeting(common::Batch* batch, const v1::Meeting& meeting) const {
  meetings_.Put(batch, meeting.id(), meeting);
}

absl::Status IssueStore::ForEachMeeting(const std::function<bool(const v1::Meeting&)>& fn) const {
  return meetings_.ForEach("", [&](std::string_view, const v1::Meeting& m) { return fn(m); });
}

absl::StatusOr<std::optional<v1::EscalationLink>> IssueStore::GetEscalationLink(
    const std::string& origin_instance, const std::string& origin_issue_id) const {
  return links_.Find(LinkKey(origin_instance, origin_issue_id));
}

void IssueStore::PutEscalationLink(common::Batch* batch, const v1::EscalationLink& link) const {
  links_.Put(batch, LinkKey(link.origin_instance(), link.origin_issue_id()), link);
}

absl::StatusOr<std::optional<v1::WideAreaIssue>> IssueStore::GetWideAreaIssue(
    const std::string& id) const {
  return wide_area_.Find(id);
}

void IssueStore::PutWideAreaIssue(common::Batch* batch, const v1::WideAreaIssue& issue) const {
  wide_area_.Put(batch, issue.prefecture_issue_id(), issue);
}

absl::Status IssueStore::ForEachWideAreaIssue(
    const std::function<bool(const v1::WideAreaIssue&)>& fn) const {
  return wide_area_.ForEach("",
                            [&](std::string_view, const v1::WideAreaIssue& w) { return fn(w); });
}

}  // namespace renkei::issues

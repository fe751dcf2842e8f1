#include "issue_store.h"

#include "renkei/common/consumer.h"
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

IssueStore::IssueStore(common::Store* store)
    : store_(store),
      issues_(store->Cf(kIssues)),
      history_(store->Cf(kHistory)),
      candidates_(store->Cf(kCandidates)),
      clusters_(store->Cf(kClusters)),
      meetings_(store->Cf(kMeetings)),
      links_(store->Cf(kLinks)),
      wide_area_(store->Cf(kWideArea)) {}

template <typename T>
absl::StatusOr<T> IssueStore::GetProto(common::ColumnFamily cf, const std::string& key,
                                       const char* what_ja, const char* what_en) const {
  auto value = store_->Get(cf, key);
  if (absl::IsNotFound(value.status())) {
    return absl::NotFoundError(std::string(what_ja) + "が見つかりません / no such " + what_en +
                               ": " + key);
  }
  if (!value.ok()) return value.status();
  T out;
  if (!out.ParseFromString(*value)) return absl::DataLossError("corrupt record " + key);
  return out;
}

template <typename T>
absl::Status IssueStore::ForEach(common::ColumnFamily cf,
                                 const std::function<bool(const T&)>& fn) const {
  absl::Status inner;
  RETURN_IF_ERROR(store_->ScanPrefix(cf, "", [&](std::string_view key, std::string_view value) {
    T item;
    if (!item.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
      inner = absl::DataLossError("corrupt record " + std::string(key));
      return false;
    }
    return fn(item);
  }));
  return inner;
}

absl::StatusOr<v1::RegionalIssue> IssueStore::GetIssue(const std::string& id) const {
  return GetProto<v1::RegionalIssue>(issues_, id, "課題", "issue");
}

void IssueStore::PutIssue(common::Batch* batch, const v1::RegionalIssue& issue,
                          const v1::IssueHistoryEntry& entry) const {
  batch->Put(issues_, issue.id(), issue.SerializeAsString());
  batch->Put(history_, HistoryKey(issue.id(), entry.version()), entry.SerializeAsString());
}

absl::StatusOr<std::vector<v1::IssueHistoryEntry>> IssueStore::History(
    const std::string& issue_id) const {
  std::vector<v1::IssueHistoryEntry> out;
  absl::Status inner;
  RETURN_IF_ERROR(store_->ScanPrefix(
      history_, common::KeyBuilder().Str(issue_id).Build(),
      [&](std::string_view key, std::string_view value) {
        if (!out.emplace_back().ParseFromArray(value.data(), static_cast<int>(value.size()))) {
          inner = absl::DataLossError("corrupt history record " + std::string(key));
          return false;
        }
        return true;
      }));
  RETURN_IF_ERROR(inner);
  return out;
}

absl::Status IssueStore::ForEachIssue(
    const std::function<bool(const v1::RegionalIssue&)>& fn) const {
  return ForEach<v1::RegionalIssue>(issues_, fn);
}

absl::StatusOr<v1::IssueCandidate> IssueStore::GetCandidate(const std::string& id) const {
  return GetProto<v1::IssueCandidate>(candidates_, id, "課題候補", "candidate");
}

void IssueStore::PutCandidate(common::Batch* batch, const v1::IssueCandidate& candidate) const {
  batch->Put(candidates_, candidate.id(), candidate.SerializeAsString());
}

absl::Status IssueStore::ForEachCandidate(
    const std::function<bool(const v1::IssueCandidate&)>& fn) const {
  return ForEach<v1::IssueCandidate>(candidates_, fn);
}

absl::StatusOr<std::optional<v1::ClusterState>> IssueStore::GetCluster(
    const std::string& key) const {
  auto state = GetProto<v1::ClusterState>(clusters_, key, "クラスター", "cluster");
  if (absl::IsNotFound(state.status())) return std::optional<v1::ClusterState>();
  if (!state.ok()) return state.status();
  return std::optional<v1::ClusterState>(std::move(*state));
}

void IssueStore::PutCluster(common::Batch* batch, const v1::ClusterState& cluster) const {
  batch->Put(clusters_, cluster.key(), cluster.SerializeAsString());
}

absl::StatusOr<v1::Meeting> IssueStore::GetMeeting(const std::string& id) const {
  return GetProto<v1::Meeting>(meetings_, id, "会議", "meeting");
}

void IssueStore::PutMeeting(common::Batch* batch, const v1::Meeting& meeting) const {
  batch->Put(meetings_, meeting.id(), meeting.SerializeAsString());
}

absl::Status IssueStore::ForEachMeeting(const std::function<bool(const v1::Meeting&)>& fn) const {
  return ForEach<v1::Meeting>(meetings_, fn);
}

absl::StatusOr<std::optional<v1::EscalationLink>> IssueStore::GetEscalationLink(
    const std::string& origin_instance, const std::string& origin_issue_id) const {
  auto link = GetProto<v1::EscalationLink>(links_, LinkKey(origin_instance, origin_issue_id),
                                           "広域課題の連携", "escalation link");
  if (absl::IsNotFound(link.status())) return std::optional<v1::EscalationLink>();
  if (!link.ok()) return link.status();
  return std::optional<v1::EscalationLink>(std::move(*link));
}

void IssueStore::PutEscalationLink(common::Batch* batch, const v1::EscalationLink& link) const {
  batch->Put(links_, LinkKey(link.origin_instance(), link.origin_issue_id()),
             link.SerializeAsString());
}

absl::StatusOr<std::optional<v1::WideAreaIssue>> IssueStore::GetWideAreaIssue(
    const std::string& id) const {
  auto w = GetProto<v1::WideAreaIssue>(wide_area_, id, "広域課題", "wide-area issue");
  if (absl::IsNotFound(w.status())) return std::optional<v1::WideAreaIssue>();
  if (!w.ok()) return w.status();
  return std::optional<v1::WideAreaIssue>(std::move(*w));
}

void IssueStore::PutWideAreaIssue(common::Batch* batch, const v1::WideAreaIssue& issue) const {
  batch->Put(wide_area_, issue.prefecture_issue_id(), issue.SerializeAsString());
}

absl::Status IssueStore::ForEachWideAreaIssue(
    const std::function<bool(const v1::WideAreaIssue&)>& fn) const {
  return ForEach<v1::WideAreaIssue>(wide_area_, fn);
}

}  // namespace renkei::issues

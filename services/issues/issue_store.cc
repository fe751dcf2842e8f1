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
      sealer_(sealer),
      issues_(store->Cf(kIssues)),
      history_(store->Cf(kHistory)),
      candidates_(store->Cf(kCandidates)),
      clusters_(store->Cf(kClusters)),
      meetings_(store->Cf(kMeetings)),
      links_(store->Cf(kLinks)),
      wide_area_(store->Cf(kWideArea)) {}

template <typename T>
absl::StatusOr<T> IssueStore::GetProto(const char* family, common::ColumnFamily cf,
                                       const std::string& key, const char* what_ja,
                                       const char* what_en) const {
  auto value = store_->Get(cf, key);
  if (absl::IsNotFound(value.status())) {
    return common::NotFoundError(T::descriptor()->full_name(), key,
                                 std::string(what_ja) + "が見つかりません / no such " + what_en);
  }
  if (!value.ok()) return value.status();
  return sealer_->Open<T>(family, key, *value);
}

void IssueStore::PutProto(common::Batch* batch, const char* family, common::ColumnFamily cf,
                          const std::string& key, const google::protobuf::Message& record) const {
  batch->Put(cf, key, sealer_->Seal(family, key, record));
}

template <typename T>
absl::Status IssueStore::ForEach(const char* family, common::ColumnFamily cf,
                                 const std::function<bool(const T&)>& fn) const {
  absl::Status inner;
  RETURN_IF_ERROR(store_->ScanPrefix(cf, "", [&](std::string_view key, std::string_view value) {
    T item;
    inner = sealer_->Open(family, key, value, &item);
    if (!inner.ok()) return false;
    return fn(item);
  }));
  return inner;
}

absl::StatusOr<v1::RegionalIssue> IssueStore::GetIssue(const std::string& id) const {
  return GetProto<v1::RegionalIssue>(kIssues, issues_, id, "課題", "issue");
}

void IssueStore::PutIssue(common::Batch* batch, const v1::RegionalIssue& issue,
                          const v1::IssueHistoryEntry& entry) const {
  PutProto(batch, kIssues, issues_, issue.id(), issue);
  PutProto(batch, kHistory, history_, HistoryKey(issue.id(), entry.version()), entry);
}

absl::StatusOr<std::vector<v1::IssueHistoryEntry>> IssueStore::History(
    const std::string& issue_id) const {
  std::vector<v1::IssueHistoryEntry> out;
  absl::Status inner;
  RETURN_IF_ERROR(store_->ScanPrefix(history_, common::KeyBuilder().Str(issue_id).Build(),
                                     [&](std::string_view key, std::string_view value) {
                                       inner =
                                           sealer_->Open(kHistory, key, value, &out.emplace_back());
                                       return inner.ok();
                                     }));
  RETURN_IF_ERROR(inner);
  return out;
}

absl::Status IssueStore::ForEachIssue(
    const std::function<bool(const v1::RegionalIssue&)>& fn) const {
  return ForEach<v1::RegionalIssue>(kIssues, issues_, fn);
}

absl::StatusOr<v1::IssueCandidate> IssueStore::GetCandidate(const std::string& id) const {
  return GetProto<v1::IssueCandidate>(kCandidates, candidates_, id, "課題候補", "candidate");
}

void IssueStore::PutCandidate(common::Batch* batch, const v1::IssueCandidate& candidate) const {
  PutProto(batch, kCandidates, candidates_, candidate.id(), candidate);
}

absl::Status IssueStore::ForEachCandidate(
    const std::function<bool(const v1::IssueCandidate&)>& fn) const {
  return ForEach<v1::IssueCandidate>(kCandidates, candidates_, fn);
}

absl::StatusOr<std::optional<v1::ClusterState>> IssueStore::GetCluster(
    const std::string& key) const {
  auto state = GetProto<v1::ClusterState>(kClusters, clusters_, key, "クラスター", "cluster");
  if (absl::IsNotFound(state.status())) return std::optional<v1::ClusterState>();
  if (!state.ok()) return state.status();
  return std::optional<v1::ClusterState>(std::move(*state));
}

void IssueStore::PutCluster(common::Batch* batch, const v1::ClusterState& cluster) const {
  PutProto(batch, kClusters, clusters_, cluster.key(), cluster);
}

absl::StatusOr<v1::Meeting> IssueStore::GetMeeting(const std::string& id) const {
  return GetProto<v1::Meeting>(kMeetings, meetings_, id, "会議", "meeting");
}

void IssueStore::PutMeeting(common::Batch* batch, const v1::Meeting& meeting) const {
  PutProto(batch, kMeetings, meetings_, meeting.id(), meeting);
}

absl::Status IssueStore::ForEachMeeting(const std::function<bool(const v1::Meeting&)>& fn) const {
  return ForEach<v1::Meeting>(kMeetings, meetings_, fn);
}

absl::StatusOr<std::optional<v1::EscalationLink>> IssueStore::GetEscalationLink(
    const std::string& origin_instance, const std::string& origin_issue_id) const {
  auto link =
      GetProto<v1::EscalationLink>(kLinks, links_, LinkKey(origin_instance, origin_issue_id),
                                   "広域課題の連携", "escalation link");
  if (absl::IsNotFound(link.status())) return std::optional<v1::EscalationLink>();
  if (!link.ok()) return link.status();
  return std::optional<v1::EscalationLink>(std::move(*link));
}

void IssueStore::PutEscalationLink(common::Batch* batch, const v1::EscalationLink& link) const {
  PutProto(batch, kLinks, links_, LinkKey(link.origin_instance(), link.origin_issue_id()), link);
}

absl::StatusOr<std::optional<v1::WideAreaIssue>> IssueStore::GetWideAreaIssue(
    const std::string& id) const {
  auto w = GetProto<v1::WideAreaIssue>(kWideArea, wide_area_, id, "広域課題", "wide-area issue");
  if (absl::IsNotFound(w.status())) return std::optional<v1::WideAreaIssue>();
  if (!w.ok()) return w.status();
  return std::optional<v1::WideAreaIssue>(std::move(*w));
}

void IssueStore::PutWideAreaIssue(common::Batch* batch, const v1::WideAreaIssue& issue) const {
  PutProto(batch, kWideArea, wide_area_, issue.prefecture_issue_id(), issue);
}

absl::Status IssueStore::ForEachWideAreaIssue(
    const std::function<bool(const v1::WideAreaIssue&)>& fn) const {
  return ForEach<v1::WideAreaIssue>(kWideArea, wide_area_, fn);
}

}  // namespace renkei::issues

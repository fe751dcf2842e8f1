#include "network_store.h"

#include "renkei/common/consumer.h"
#include "renkei/common/outbox.h"

namespace renkei::network {
namespace {

constexpr char kProfiles[] = "profiles";
constexpr char kRequests[] = "peer_requests";
constexpr char kPractices[] = "practices";

}  // namespace

std::vector<std::string> NetworkStore::ColumnFamilies() {
  std::vector<std::string> cfs = {kProfiles, kRequests, kPractices};
  for (auto& cf : common::OutboxColumnFamilies()) cfs.push_back(cf);
  // Federation: the inbox of the consumers of the network's events from other instances.
  for (auto& cf : common::InboxColumnFamilies()) cfs.push_back(cf);
  return cfs;
}

NetworkStore::NetworkStore(common::Store* store, const common::RecordSealer* sealer)
    : profiles_(store, sealer, kProfiles, {"コーディネーターのプロフィール", "profile"}),
      requests_(store, sealer, kRequests, {"相談依頼", "peer request"}),
      practices_(store, sealer, kPractices, {"取組事例", "practice"}) {}

absl::Status NetworkStore::ForEachProfile(
    const std::function<bool(const v1::CoordinatorProfile&)>& fn) const {
  return profiles_.ForEach(
      "", [&](std::string_view, const v1::CoordinatorProfile& p) { return fn(p); });
}

absl::Status NetworkStore::ForEachRequest(
    const std::function<bool(const v1::PeerRequest&)>& fn) const {
  return requests_.ForEach("", [&](std::string_view, const v1::PeerRequest& r) { return fn(r); });
}

absl::Status NetworkStore::ForEachPractice(
    const std::function<bool(const v1::Practice&)>& fn) const {
  return practices_.ForEach("", [&](std::string_view, const v1::Practice& p) { return fn(p); });
}

}  // namespace renkei::network

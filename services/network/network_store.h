// Persistence of the network service. Callers build one CommandBatch per command (or per event
// applied) from the Put calls below and commit it; reads go straight to RocksDB.
//
// Column families: "profiles" (id -> CoordinatorProfile: this instance's coordinators and the
// copies shared with it), "peer_requests" (id -> PeerRequest: the requests this instance's
// coordinators asked and the copies of those addressed here), "practices" (id -> Practice:
// published here, and those shared with this instance), plus the outbox's and the
// consumers' inbox. Records are sealed at rest (at_rest.h). Thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "renkei/common/at_rest.h"
#include "renkei/common/store.h"
#include "renkei/common/table.h"
#include "renkei/v1/network.pb.h"

namespace renkei::network {

class NetworkStore {
 public:
  static std::vector<std::string> ColumnFamilies();
  NetworkStore(common::Store* store, const common::RecordSealer* sealer);

  const common::Table<v1::CoordinatorProfile>& profiles() const { return profiles_; }
  const common::Table<v1::PeerRequest>& requests() const { return requests_; }
  const common::Table<v1::Practice>& practices() const { return practices_; }

  absl::Status ForEachProfile(const std::function<bool(const v1::CoordinatorProfile&)>& fn) const;
  absl::Status ForEachRequest(const std::function<bool(const v1::PeerRequest&)>& fn) const;
  absl::Status ForEachPractice(const std::function<bool(const v1::Practice&)>& fn) const;

 private:
  common::Table<v1::CoordinatorProfile> profiles_;
  common::Table<v1::PeerRequest> requests_;
  common::Table<v1::Practice> practices_;
};

}  // namespace renkei::network

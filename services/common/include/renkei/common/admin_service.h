// The AdminService every service binary serves (proto/renkei/v1/admin.proto): the consistent
// checkpoint of the service's store that `renkeictl backup` collects, the stream history its
// relay keeps (outbox.h) and the tally of its events (event_counts.h).
//
// Thread safety: TakeCheckpoint and AdminService are thread-safe (RocksDB checkpoints run
// concurrently with writes; two calls with the same target_dir: one fails INVALID_ARGUMENT or
// UNAVAILABLE).
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "renkei/common/clock.h"
#include "renkei/common/outbox.h"
#include "renkei/common/requests.h"
#include "renkei/common/store.h"
#include "renkei/v1/admin.grpc.pb.h"

namespace renkei::common {

// Validates the request (INVALID_ARGUMENT naming "target_dir": empty, relative, not in normal
// form, existing, or without an existing parent directory) and writes the checkpoint of `store`
// there. UNAVAILABLE when RocksDB cannot write it (nothing is left at target_dir then).
absl::StatusOr<v1::CheckpointResponse> TakeCheckpoint(const Store& store,
                                                      const std::string& service,
                                                      const v1::CheckpointRequest& request,
                                                      const Clock& clock = *SystemClock::Get());

class AdminService final : public v1::AdminService::Service {
 public:
  // Everything must outlive the service.
  AdminService(std::string service, const Store* store, OutboxRelay* relay, RequestLedger* requests)
      : service_(std::move(service)), store_(store), relay_(relay), requests_(requests) {}

  grpc::Status Checkpoint(grpc::ServerContext* context, const v1::CheckpointRequest* request,
                          v1::CheckpointResponse* response) override;
  grpc::Status GetStreamHistory(grpc::ServerContext* context,
                                const v1::GetStreamHistoryRequest* request,
                                v1::StreamHistory* response) override;
  grpc::Status AcceptStreamHistoryGap(grpc::ServerContext* context,
                                      const v1::AcceptStreamHistoryGapRequest* request,
                                      v1::StreamHistory* response) override;
  grpc::Status CountEvents(grpc::ServerContext* context, const v1::CountEventsRequest* request,
                           v1::EventCounts* response) override;

 private:
  std::string service_;
  const Store* store_;
  OutboxRelay* relay_;
  RequestLedger* requests_;
};

}  // namespace renkei::common

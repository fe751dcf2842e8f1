// The AdminService every service binary serves (proto/renkei/v1/admin.proto): today the
// consistent checkpoint of the service's store that `renkeictl backup` collects.
//
// Thread safety: TakeCheckpoint and AdminService are thread-safe (RocksDB checkpoints run
// concurrently with writes; two calls with the same target_dir: one fails INVALID_ARGUMENT or
// UNAVAILABLE).
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "renkei/common/clock.h"
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
  // `store` must outlive the service.
  AdminService(std::string service, const Store* store)
      : service_(std::move(service)), store_(store) {}

  grpc::Status Checkpoint(grpc::ServerContext* context, const v1::CheckpointRequest* request,
                          v1::CheckpointResponse* response) override;

 private:
  std::string service_;
  const Store* store_;
};

}  // namespace renkei::common

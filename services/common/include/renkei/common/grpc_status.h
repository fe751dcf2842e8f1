// absl::Status <-> grpc::Status at the RPC edge (the codes share their numbering). Field
// violations travel as google.rpc.BadRequest in grpc-status-details-bin.
#pragma once

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace renkei::common {

grpc::Status ToGrpcStatus(const absl::Status& status);
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace renkei::common

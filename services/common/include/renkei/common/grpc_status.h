// absl::Status <-> grpc::Status at the RPC edge (the codes share their numbering). Field
// violations travel as google.rpc.BadRequest in grpc-status-details-bin.
#pragma once

#include <string_view>

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace renkei::common {

grpc::Status ToGrpcStatus(const absl::Status& status);
absl::Status FromGrpcStatus(const grpc::Status& status);

// The failure of another service this one called, as this one answers it: NOT_FOUND passes
// through; an unreachable or slow service is UNAVAILABLE (retry later), its message naming the
// service ("資源ディレクトリ" / "directory"); anything else is INTERNAL (not the caller's input).
absl::Status FromCalledService(std::string_view name_ja, std::string_view name_en,
                               const grpc::Status& status);

}  // namespace renkei::common

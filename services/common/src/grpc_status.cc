#include "renkei/common/grpc_status.h"

#include "absl/strings/cord.h"
#include "google/protobuf/any.pb.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace renkei::common {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  google::rpc::Status detail;
  detail.set_code(static_cast<int>(status.code()));
  detail.set_message(std::string(status.message()));
  status.ForEachPayload([&](absl::string_view type_url, const absl::Cord& payload) {
    auto* any = detail.add_details();
    any->set_type_url(std::string(type_url));
    any->set_value(std::string(payload));
  });
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()),
                      detail.SerializeAsString());
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  absl::Status out(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
  google::rpc::Status detail;
  if (!status.error_details().empty() && detail.ParseFromString(status.error_details())) {
    for (const auto& any : detail.details())
      out.SetPayload(any.type_url(), absl::Cord(any.value()));
  }
  return out;
}

absl::Status FromCalledService(std::string_view name_ja, std::string_view name_en,
                               const grpc::Status& status) {
  switch (status.error_code()) {
    case grpc::StatusCode::NOT_FOUND:
      return FromGrpcStatus(status);
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return absl::UnavailableError(std::string(name_ja) + "に接続できません / " +
                                    std::string(name_en) +
                                    " unavailable: " + status.error_message());
    default:
      return absl::InternalError(std::string(name_en) + " answered " +
                                 std::to_string(status.error_code()) + ": " +
                                 status.error_message());
  }
}

}  // namespace renkei::common

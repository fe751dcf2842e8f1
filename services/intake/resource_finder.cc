#include "resource_finder.h"

#include "grpcpp/create_channel.h"
#include "renkei/common/grpc_status.h"

namespace renkei::intake {
namespace {

// The directory's failure is not the caller's bad input: NOT_FOUND passes through, an
// unreachable or slow directory is UNAVAILABLE (retry later), anything else INTERNAL.
absl::Status FromDirectory(const grpc::Status& s) {
  switch (s.error_code()) {
    case grpc::StatusCode::NOT_FOUND:
      return common::FromGrpcStatus(s);
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return absl::UnavailableError("資源ディレクトリに接続できません / directory unavailable: " +
                                    s.error_message());
    default:
      return absl::InternalError("directory answered " + std::to_string(s.error_code()) + ": " +
                                 s.error_message());
  }
}

}  // namespace

GrpcResourceFinder::GrpcResourceFinder(std::shared_ptr<grpc::Channel> channel,
                                       std::chrono::milliseconds deadline)
    : stub_(v1::DirectoryService::NewStub(std::move(channel))), deadline_(deadline) {}

absl::StatusOr<v1::SearchResourcesResponse> GrpcResourceFinder::Search(
    const v1::SearchResourcesRequest& request) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + deadline_);
  v1::SearchResourcesResponse response;
  grpc::Status s = stub_->SearchResources(&ctx, request, &response);
  if (!s.ok()) return FromDirectory(s);
  return response;
}

absl::StatusOr<v1::Resource> GrpcResourceFinder::Get(const std::string& id) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + deadline_);
  v1::GetResourceRequest request;
  request.set_id(id);
  v1::Resource response;
  grpc::Status s = stub_->GetResource(&ctx, request, &response);
  if (!s.ok()) return FromDirectory(s);
  return response;
}

}  // namespace renkei::intake

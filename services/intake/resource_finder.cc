#include "resource_finder.h"

#include "grpcpp/create_channel.h"
#include "renkei/common/grpc_status.h"

namespace renkei::intake {

GrpcResourceFinder::GrpcResourceFinder(std::shared_ptr<grpc::Channel> channel,
                                       std::chrono::milliseconds deadline)
    : stub_(v1::DirectoryService::NewStub(std::move(channel))), deadline_(deadline) {}

absl::StatusOr<v1::SearchResourcesResponse> GrpcResourceFinder::Search(
    const v1::SearchResourcesRequest& request) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + deadline_);
  v1::SearchResourcesResponse response;
  grpc::Status s = stub_->SearchResources(&ctx, request, &response);
  if (!s.ok()) return common::FromCalledService("資源ディレクトリ", "directory", s);
  return response;
}

absl::StatusOr<v1::Resource> GrpcResourceFinder::Get(const std::string& id) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + deadline_);
  v1::GetResourceRequest request;
  request.set_id(id);
  v1::Resource response;
  grpc::Status s = stub_->GetResource(&ctx, request, &response);
  if (!s.ok()) return common::FromCalledService("資源ディレクトリ", "directory", s);
  return response;
}

absl::StatusOr<v1::GapReport> GrpcResourceFinder::GapReport(
    const v1::GetGapReportRequest& request) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + deadline_);
  v1::GapReport response;
  grpc::Status s = stub_->GetGapReport(&ctx, request, &response);
  if (!s.ok()) return common::FromCalledService("資源ディレクトリ", "directory", s);
  return response;
}

GrpcCoordinatorFinder::GrpcCoordinatorFinder(std::shared_ptr<grpc::Channel> channel,
                                             std::chrono::milliseconds deadline)
    : stub_(v1::NetworkService::NewStub(std::move(channel))), deadline_(deadline) {}

absl::StatusOr<v1::ListProfilesResponse> GrpcCoordinatorFinder::ListProfiles(
    const v1::ListProfilesRequest& request) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + deadline_);
  v1::ListProfilesResponse response;
  grpc::Status s = stub_->ListProfiles(&ctx, request, &response);
  if (!s.ok()) return common::FromCalledService("コーディネーターのネットワーク", "network", s);
  return response;
}

}  // namespace renkei::intake

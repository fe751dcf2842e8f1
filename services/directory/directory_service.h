// The gRPC edge of the directory: maps requests to Directory calls and statuses to gRPC
// statuses. No domain logic here.
#pragma once

#include "directory.h"
#include "renkei/common/requests.h"
#include "renkei/v1/directory.grpc.pb.h"

namespace renkei::directory {

class DirectoryService final : public v1::DirectoryService::Service {
 public:
  DirectoryService(Directory* directory, common::RequestLedger* requests)
      : directory_(directory), requests_(requests) {}

  grpc::Status UpsertResource(grpc::ServerContext* context,
                              const v1::UpsertResourceRequest* request,
                              v1::UpsertResourceResponse* response) override;
  grpc::Status GetResource(grpc::ServerContext* context, const v1::GetResourceRequest* request,
                           v1::Resource* response) override;
  grpc::Status DeleteResource(grpc::ServerContext* context,
                              const v1::DeleteResourceRequest* request,
                              v1::DeleteResourceResponse* response) override;
  grpc::Status SearchResources(grpc::ServerContext* context,
                               const v1::SearchResourcesRequest* request,
                               v1::SearchResourcesResponse* response) override;
  grpc::Status ImportResources(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<v1::ImportResourcesResponse, v1::ImportResourcesRequest>* stream)
      override;
  grpc::Status ExportResources(grpc::ServerContext* context,
                               const v1::ExportResourcesRequest* request,
                               grpc::ServerWriter<v1::ExportResourcesChunk>* writer) override;
  grpc::Status GetGapReport(grpc::ServerContext* context, const v1::GetGapReportRequest* request,
                            v1::GapReport* response) override;
  grpc::Status ListCapabilities(grpc::ServerContext* context,
                                const v1::ListCapabilitiesRequest* request,
                                v1::ListCapabilitiesResponse* response) override;

 private:
  Directory* directory_;
  common::RequestLedger* requests_;
};

}  // namespace renkei::directory

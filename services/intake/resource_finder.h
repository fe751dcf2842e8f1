// How intake reaches the directory and renkei-network: interfaces (tests give fakes) and their gRPC
// implementations.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/channel.h"
#include "renkei/v1/directory.grpc.pb.h"
#include "renkei/v1/network.grpc.pb.h"

namespace renkei::intake {

class ResourceFinder {
 public:
  virtual ~ResourceFinder() = default;
  virtual absl::StatusOr<v1::SearchResourcesResponse> Search(
      const v1::SearchResourcesRequest& request) = 0;
  // NOT_FOUND when the directory has no such resource.
  virtual absl::StatusOr<v1::Resource> Get(const std::string& id) = 0;
  virtual absl::StatusOr<v1::GapReport> GapReport(const v1::GetGapReportRequest& request) = 0;
};

// Calls renkei-directory over gRPC, each call with `deadline`. Thread-safe.
class GrpcResourceFinder final : public ResourceFinder {
 public:
  // `channel` carries the intake's service identity (ServiceHost::ChannelTo).
  GrpcResourceFinder(std::shared_ptr<grpc::Channel> channel, std::chrono::milliseconds deadline);
  absl::StatusOr<v1::SearchResourcesResponse> Search(
      const v1::SearchResourcesRequest& request) override;
  absl::StatusOr<v1::Resource> Get(const std::string& id) override;
  absl::StatusOr<v1::GapReport> GapReport(const v1::GetGapReportRequest& request) override;

 private:
  std::unique_ptr<v1::DirectoryService::Stub> stub_;
  std::chrono::milliseconds deadline_;
};

// How intake reaches renkei-network: the coordinators it knows, for a consultation's advice need.
class CoordinatorFinder {
 public:
  virtual ~CoordinatorFinder() = default;
  virtual absl::StatusOr<v1::ListProfilesResponse> ListProfiles(
      const v1::ListProfilesRequest& request) = 0;
};

// Calls renkei-network over gRPC, each call with `deadline`. Thread-safe.
class GrpcCoordinatorFinder final : public CoordinatorFinder {
 public:
  GrpcCoordinatorFinder(std::shared_ptr<grpc::Channel> channel, std::chrono::milliseconds deadline);
  absl::StatusOr<v1::ListProfilesResponse> ListProfiles(
      const v1::ListProfilesRequest& request) override;

 private:
  std::unique_ptr<v1::NetworkService::Stub> stub_;
  std::chrono::milliseconds deadline_;
};

}  // namespace renkei::intake

// How the network reaches the instance's regional issues and their evaluation values when it
// publishes a practice: an interface (tests give a fake) and its gRPC implementation over the
// issues and indicators services (with the service identity: answers without personal fields).
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/channel.h"
#include "renkei/v1/indicators.grpc.pb.h"
#include "renkei/v1/issues.grpc.pb.h"

namespace renkei::network {

class Worksheets {
 public:
  virtual ~Worksheets() = default;
  // NOT_FOUND when the instance has no such issue.
  virtual absl::StatusOr<v1::RegionalIssue> Issue(const std::string& id) = 0;
  // The issue's expected changes with their values (empty when none is measured yet).
  virtual absl::StatusOr<v1::IssueProgress> Progress(const std::string& issue_id) = 0;
};

// Calls renkei-issues and renkei-indicators, each call with `deadline`. Thread-safe.
class GrpcWorksheets final : public Worksheets {
 public:
  GrpcWorksheets(std::shared_ptr<grpc::Channel> issues, std::shared_ptr<grpc::Channel> indicators,
                 std::chrono::milliseconds deadline);
  absl::StatusOr<v1::RegionalIssue> Issue(const std::string& id) override;
  absl::StatusOr<v1::IssueProgress> Progress(const std::string& issue_id) override;

 private:
  std::unique_ptr<v1::IssuesService::Stub> issues_;
  std::unique_ptr<v1::IndicatorsService::Stub> indicators_;
  std::chrono::milliseconds deadline_;
};

}  // namespace renkei::network

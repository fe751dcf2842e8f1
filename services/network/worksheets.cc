#include "worksheets.h"

#include "renkei/common/grpc_status.h"

namespace renkei::network {

GrpcWorksheets::GrpcWorksheets(std::shared_ptr<grpc::Channel> issues,
                               std::shared_ptr<grpc::Channel> indicators,
                               std::chrono::milliseconds deadline)
    : issues_(v1::IssuesService::NewStub(std::move(issues))),
      indicators_(v1::IndicatorsService::NewStub(std::move(indicators))),
      deadline_(deadline) {}

absl::StatusOr<v1::RegionalIssue> GrpcWorksheets::Issue(const std::string& id) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + deadline_);
  v1::GetIssueRequest request;
  request.set_id(id);
  v1::IssueWithHistory response;
  grpc::Status s = issues_->GetIssue(&ctx, request, &response);
  if (!s.ok()) return common::FromCalledService("地域課題サービス", "issues", s);
  return response.issue();
}

absl::StatusOr<v1::IssueProgress> GrpcWorksheets::Progress(const std::string& issue_id) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + deadline_);
  v1::GetIssueProgressRequest request;
  request.set_issue_id(issue_id);
  v1::IssueProgress response;
  grpc::Status s = indicators_->GetIssueProgress(&ctx, request, &response);
  // An issue without expected changes yet has no progress to show.
  if (s.error_code() == grpc::StatusCode::NOT_FOUND) return v1::IssueProgress();
  if (!s.ok()) return common::FromCalledService("指標サービス", "indicators", s);
  return response;
}

}  // namespace renkei::network

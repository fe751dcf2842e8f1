// The gRPC edge of the issues service: maps requests to Issues calls and statuses to gRPC
// statuses.
#pragma once

#include "issues.h"
#include "renkei/common/requests.h"
#include "renkei/v1/issues.grpc.pb.h"

namespace renkei::issues {

class IssuesService final : public v1::IssuesService::Service {
 public:
  IssuesService(Issues* issues, common::RequestLedger* requests)
      : issues_(issues), requests_(requests) {}

  grpc::Status ListCandidates(grpc::ServerContext*, const v1::ListCandidatesRequest* request,
                              v1::ListCandidatesResponse* response) override;
  grpc::Status AcceptCandidate(grpc::ServerContext*, const v1::AcceptCandidateRequest* request,
                               v1::RegionalIssue* response) override;
  grpc::Status MergeCandidate(grpc::ServerContext*, const v1::MergeCandidateRequest* request,
                              v1::IssueCandidate* response) override;
  grpc::Status DismissCandidate(grpc::ServerContext*, const v1::DismissCandidateRequest* request,
                                v1::IssueCandidate* response) override;
  grpc::Status CreateIssue(grpc::ServerContext*, const v1::CreateIssueRequest* request,
                           v1::RegionalIssue* response) override;
  grpc::Status GetIssue(grpc::ServerContext*, const v1::GetIssueRequest* request,
                        v1::IssueWithHistory* response) override;
  grpc::Status ListIssues(grpc::ServerContext*, const v1::ListIssuesRequest* request,
                          v1::ListIssuesResponse* response) override;
  grpc::Status UpdateIssue(grpc::ServerContext*, const v1::UpdateIssueRequest* request,
                           v1::RegionalIssue* response) override;
  grpc::Status AddCountermeasure(grpc::ServerContext*, const v1::AddCountermeasureRequest* request,
                                 v1::RegionalIssue* response) override;
  grpc::Status UpdateCountermeasure(grpc::ServerContext*,
                                    const v1::UpdateCountermeasureRequest* request,
                                    v1::RegionalIssue* response) override;
  grpc::Status AddExpectedChange(grpc::ServerContext*, const v1::AddExpectedChangeRequest* request,
                                 v1::RegionalIssue* response) override;
  grpc::Status UpdateExpectedChange(grpc::ServerContext*,
                                    const v1::UpdateExpectedChangeRequest* request,
                                    v1::RegionalIssue* response) override;
  grpc::Status AdvanceStep(grpc::ServerContext*, const v1::AdvanceStepRequest* request,
                           v1::RegionalIssue* response) override;
  grpc::Status ReturnToStep(grpc::ServerContext*, const v1::ReturnToStepRequest* request,
                            v1::RegionalIssue* response) override;
  grpc::Status StartNewCycle(grpc::ServerContext*, const v1::StartNewCycleRequest* request,
                             v1::RegionalIssue* response) override;
  grpc::Status EscalateIssue(grpc::ServerContext*, const v1::EscalateIssueRequest* request,
                             v1::RegionalIssue* response) override;
  grpc::Status ListWideAreaIssues(grpc::ServerContext*, const v1::ListWideAreaIssuesRequest*,
                                  v1::ListWideAreaIssuesResponse* response) override;
  grpc::Status ExportWorksheet(grpc::ServerContext*, const v1::ExportWorksheetRequest* request,
                               v1::Worksheet* response) override;
  grpc::Status RecordMeeting(grpc::ServerContext*, const v1::RecordMeetingRequest* request,
                             v1::Meeting* response) override;
  grpc::Status UpdateMeeting(grpc::ServerContext*, const v1::UpdateMeetingRequest* request,
                             v1::Meeting* response) override;
  grpc::Status GetMeeting(grpc::ServerContext*, const v1::GetMeetingRequest* request,
                          v1::Meeting* response) override;
  grpc::Status ListMeetings(grpc::ServerContext*, const v1::ListMeetingsRequest* request,
                            v1::ListMeetingsResponse* response) override;

 private:
  Issues* issues_;
  common::RequestLedger* requests_;
};

}  // namespace renkei::issues

#include "issues_service.h"

#include "renkei/common/grpc_status.h"
#include "renkei/common/requests.h"

namespace renkei::issues {
grpc::Status IssuesService::ListCandidates(grpc::ServerContext*,
                                           const v1::ListCandidatesRequest* request,
                                           v1::ListCandidatesResponse* response) {
  return common::Respond(issues_->ListCandidates(*request), response);
}
grpc::Status IssuesService::AcceptCandidate(grpc::ServerContext*,
                                            const v1::AcceptCandidateRequest* request,
                                            v1::RegionalIssue* response) {
  return common::RespondOnce(*requests_, *request, response,
                             [&] { return issues_->AcceptCandidate(*request); });
}
grpc::Status IssuesService::MergeCandidate(grpc::ServerContext*,
                                           const v1::MergeCandidateRequest* request,
                                           v1::IssueCandidate* response) {
  return common::RespondOnce(*requests_, *request, response,
                             [&] { return issues_->MergeCandidate(*request); });
}
grpc::Status IssuesService::DismissCandidate(grpc::ServerContext*,
                                             const v1::DismissCandidateRequest* request,
                                             v1::IssueCandidate* response) {
  return common::RespondOnce(*requests_, *request, response,
                             [&] { return issues_->DismissCandidate(*request); });
}
grpc::Status IssuesService::CreateIssue(grpc::ServerContext*, const v1::CreateIssueRequest* request,
                                        v1::RegionalIssue* response) {
  return common::RespondOnce(*requests_, *request, response,
                             [&] { return issues_->CreateIssue(*request); });
}
grpc::Status IssuesService::GetIssue(grpc::ServerContext*, const v1::GetIssueRequest* request,
                                     v1::IssueWithHistory* response) {
  return common::Respond(issues_->GetIssue(*request), response);
}
grpc::Status IssuesService::ListIssues(grpc::ServerContext*, const v1::ListIssuesRequest* request,
                                       v1::ListIssuesResponse* response) {
  return common::Respond(issues_->ListIssues(*request), response);
}
grpc::Status IssuesService::UpdateIssue(grpc::ServerContext*, const v1::UpdateIssueRequest* request,
                                        v1::RegionalIssue* response) {
  return common::RespondOnce(*requests_, *request, response,
                             [&] { return issues_->UpdateIssue(*request); });
}
grpc::Status IssuesService::AddCountermeasure(grpc::ServerContext*,
                                              const v1::AddCountermeasureRequest* request,
                                              v1::RegionalIssue* response) {
  return common::RespondOnce(*requests_, *request, response,
                             [&] { return issues_->AddCountermeasure(*request); });
}
grpc::Status IssuesService::UpdateCountermeasure(grpc::ServerContext*,
                                                 const v1::UpdateCountermeasureRequest* request,
                                                 v1::RegionalIssue* response) {
  return common::RespondOnce(*requests_, *request, response,
                             [&] { return issues_->UpdateCountermeasure(*request); });
}
grpc::Status IssuesService::AddExpectedChange(grpc::ServerContext*,
                                              const v1::AddExpectedChangeRequest* request,
                                              v1::RegionalIssue* response) {
  return common::RespondOnce(*requests_, *request, response,
                             [&] { return issues_->AddExpectedChange(*request); });
}
grpc::Status IssuesService::UpdateExpectedChange(grpc::ServerContext*,
                                                 const v1::UpdateExpectedChangeRequest* request,
                                                 v1::RegionalIssue* response) {
  return common::RespondOnce(*requests_, *request, response,
                             [&] { return issues_->UpdateExpectedChange(*request); });
}
grpc::Status IssuesService::AdvanceStep(grpc::ServerContext*, const v1::AdvanceStepRequest* request,
                                        v1::RegionalIssue* response) {
  return common::RespondOnce(*requests_, *request, response,
                             [&] { return issues_->AdvanceStep(*request); });
}
grpc::Status IssuesService::ReturnToStep(grpc::ServerContext*,
                                         const v1::ReturnToStepRequest* request,
                                         v1::RegionalIssue* response) {
  return common::RespondOnce(*requests_, *request, response,
                             [&] { return issues_->ReturnToStep(*request); });
}
grpc::Status IssuesService::StartNewCycle(grpc::ServerContext*,
                                          const v1::StartNewCycleRequest* request,
                                          v1::RegionalIssue* response) {
  return common::RespondOnce(*requests_, *request, response,
                             [&] { return issues_->StartNewCycle(*request); });
}
grpc::Status IssuesService::EscalateIssue(grpc::ServerContext*,
                                          const v1::EscalateIssueRequest* request,
                                          v1::RegionalIssue* response) {
  return common::RespondOnce(*requests_, *request, response,
                             [&] { return issues_->EscalateIssue(*request); });
}
grpc::Status IssuesService::ListWideAreaIssues(grpc::ServerContext*,
                                               const v1::ListWideAreaIssuesRequest*,
                                               v1::ListWideAreaIssuesResponse* response) {
  return common::Respond(issues_->ListWideAreaIssues(), response);
}
grpc::Status IssuesService::ExportWorksheet(grpc::ServerContext*,
                                            const v1::ExportWorksheetRequest* request,
                                            v1::Worksheet* response) {
  return common::Respond(issues_->ExportWorksheet(*request), response);
}
grpc::Status IssuesService::RecordMeeting(grpc::ServerContext*,
                                          const v1::RecordMeetingRequest* request,
                                          v1::Meeting* response) {
  return common::RespondOnce(*requests_, *request, response,
                             [&] { return issues_->RecordMeeting(*request); });
}
grpc::Status IssuesService::UpdateMeeting(grpc::ServerContext*,
                                          const v1::UpdateMeetingRequest* request,
                                          v1::Meeting* response) {
  return common::RespondOnce(*requests_, *request, response,
                             [&] { return issues_->UpdateMeeting(*request); });
}
grpc::Status IssuesService::GetMeeting(grpc::ServerContext*, const v1::GetMeetingRequest* request,
                                       v1::Meeting* response) {
  return common::Respond(issues_->GetMeeting(*request), response);
}
grpc::Status IssuesService::ListMeetings(grpc::ServerContext*,
                                         const v1::ListMeetingsRequest* request,
                                         v1::ListMeetingsResponse* response) {
  return common::Respond(issues_->ListMeetings(*request), response);
}

}  // namespace renkei::issues

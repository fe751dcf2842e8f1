#include "issues_service.h"

#include "renkei/common/grpc_status.h"

namespace renkei::issues {
namespace {

template <typename T>
grpc::Status Respond(absl::StatusOr<T> result, T* response) {
  if (!result.ok()) return common::ToGrpcStatus(result.status());
  *response = std::move(*result);
  return grpc::Status::OK;
}

}  // namespace

grpc::Status IssuesService::ListCandidates(grpc::ServerContext*, const v1::ListCandidatesRequest* r,
                                           v1::ListCandidatesResponse* out) {
  return Respond(issues_->ListCandidates(*r), out);
}
grpc::Status IssuesService::AcceptCandidate(grpc::ServerContext*,
                                            const v1::AcceptCandidateRequest* r,
                                            v1::RegionalIssue* out) {
  return Respond(issues_->AcceptCandidate(*r), out);
}
grpc::Status IssuesService::MergeCandidate(grpc::ServerContext*, const v1::MergeCandidateRequest* r,
                                           v1::IssueCandidate* out) {
  return Respond(issues_->MergeCandidate(*r), out);
}
grpc::Status IssuesService::DismissCandidate(grpc::ServerContext*,
                                             const v1::DismissCandidateRequest* r,
                                             v1::IssueCandidate* out) {
  return Respond(issues_->DismissCandidate(*r), out);
}
grpc::Status IssuesService::CreateIssue(grpc::ServerContext*, const v1::CreateIssueRequest* r,
                                        v1::RegionalIssue* out) {
  return Respond(issues_->CreateIssue(*r), out);
}
grpc::Status IssuesService::GetIssue(grpc::ServerContext*, const v1::GetIssueRequest* r,
                                     v1::IssueWithHistory* out) {
  return Respond(issues_->GetIssue(*r), out);
}
grpc::Status IssuesService::ListIssues(grpc::ServerContext*, const v1::ListIssuesRequest* r,
                                       v1::ListIssuesResponse* out) {
  return Respond(issues_->ListIssues(*r), out);
}
grpc::Status IssuesService::UpdateIssue(grpc::ServerContext*, const v1::UpdateIssueRequest* r,
                                        v1::RegionalIssue* out) {
  return Respond(issues_->UpdateIssue(*r), out);
}
grpc::Status IssuesService::AddCountermeasure(grpc::ServerContext*,
                                              const v1::AddCountermeasureRequest* r,
                                              v1::RegionalIssue* out) {
  return Respond(issues_->AddCountermeasure(*r), out);
}
grpc::Status IssuesService::UpdateCountermeasure(grpc::ServerContext*,
                                                 const v1::UpdateCountermeasureRequest* r,
                                                 v1::RegionalIssue* out) {
  return Respond(issues_->UpdateCountermeasure(*r), out);
}
grpc::Status IssuesService::AddExpectedChange(grpc::ServerContext*,
                                              const v1::AddExpectedChangeRequest* r,
                                              v1::RegionalIssue* out) {
  return Respond(issues_->AddExpectedChange(*r), out);
}
grpc::Status IssuesService::UpdateExpectedChange(grpc::ServerContext*,
                                                 const v1::UpdateExpectedChangeRequest* r,
                                                 v1::RegionalIssue* out) {
  return Respond(issues_->UpdateExpectedChange(*r), out);
}
grpc::Status IssuesService::AdvanceStep(grpc::ServerContext*, const v1::AdvanceStepRequest* r,
                                        v1::RegionalIssue* out) {
  return Respond(issues_->AdvanceStep(*r), out);
}
grpc::Status IssuesService::ReturnToStep(grpc::ServerContext*, const v1::ReturnToStepRequest* r,
                                         v1::RegionalIssue* out) {
  return Respond(issues_->ReturnToStep(*r), out);
}
grpc::Status IssuesService::StartNewCycle(grpc::ServerContext*, const v1::StartNewCycleRequest* r,
                                          v1::RegionalIssue* out) {
  return Respond(issues_->StartNewCycle(*r), out);
}
grpc::Status IssuesService::EscalateIssue(grpc::ServerContext*, const v1::EscalateIssueRequest* r,
                                          v1::RegionalIssue* out) {
  return Respond(issues_->EscalateIssue(*r), out);
}
grpc::Status IssuesService::ListWideAreaIssues(grpc::ServerContext*,
                                               const v1::ListWideAreaIssuesRequest*,
                                               v1::ListWideAreaIssuesResponse* out) {
  return Respond(issues_->ListWideAreaIssues(), out);
}
grpc::Status IssuesService::ExportWorksheet(grpc::ServerContext*,
                                            const v1::ExportWorksheetRequest* r,
                                            v1::Worksheet* out) {
  return Respond(issues_->ExportWorksheet(*r), out);
}
grpc::Status IssuesService::RecordMeeting(grpc::ServerContext*, const v1::RecordMeetingRequest* r,
                                          v1::Meeting* out) {
  return Respond(issues_->RecordMeeting(*r), out);
}
grpc::Status IssuesService::UpdateMeeting(grpc::ServerContext*, const v1::UpdateMeetingRequest* r,
                                          v1::Meeting* out) {
  return Respond(issues_->UpdateMeeting(*r), out);
}
grpc::Status IssuesService::GetMeeting(grpc::ServerContext*, const v1::GetMeetingRequest* r,
                                       v1::Meeting* out) {
  return Respond(issues_->GetMeeting(*r), out);
}
grpc::Status IssuesService::ListMeetings(grpc::ServerContext*, const v1::ListMeetingsRequest* r,
                                         v1::ListMeetingsResponse* out) {
  return Respond(issues_->ListMeetings(*r), out);
}

}  // namespace renkei::issues

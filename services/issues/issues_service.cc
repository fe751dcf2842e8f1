#include "issues_service.h"

#include "renkei/common/grpc_status.h"
#include "renkei/common/requests.h"

namespace renkei::issues {
grpc::Status IssuesService::ListCandidates(grpc::ServerContext*, const v1::ListCandidatesRequest* r,
                                           v1::ListCandidatesResponse* out) {
  return common::Respond(issues_->ListCandidates(*r), out);
}
grpc::Status IssuesService::AcceptCandidate(grpc::ServerContext*,
                                            const v1::AcceptCandidateRequest* r,
                                            v1::RegionalIssue* out) {
  return common::RespondOnce(*requests_, *r, out, [&] { return issues_->AcceptCandidate(*r); });
}
grpc::Status IssuesService::MergeCandidate(grpc::ServerContext*, const v1::MergeCandidateRequest* r,
                                           v1::IssueCandidate* out) {
  return common::RespondOnce(*requests_, *r, out, [&] { return issues_->MergeCandidate(*r); });
}
grpc::Status IssuesService::DismissCandidate(grpc::ServerContext*,
                                             const v1::DismissCandidateRequest* r,
                                             v1::IssueCandidate* out) {
  return common::RespondOnce(*requests_, *r, out, [&] { return issues_->DismissCandidate(*r); });
}
grpc::Status IssuesService::CreateIssue(grpc::ServerContext*, const v1::CreateIssueRequest* r,
                                        v1::RegionalIssue* out) {
  return common::RespondOnce(*requests_, *r, out, [&] { return issues_->CreateIssue(*r); });
}
grpc::Status IssuesService::GetIssue(grpc::ServerContext*, const v1::GetIssueRequest* r,
                                     v1::IssueWithHistory* out) {
  return common::Respond(issues_->GetIssue(*r), out);
}
grpc::Status IssuesService::ListIssues(grpc::ServerContext*, const v1::ListIssuesRequest* r,
                                       v1::ListIssuesResponse* out) {
  return common::Respond(issues_->ListIssues(*r), out);
}
grpc::Status IssuesService::UpdateIssue(grpc::ServerContext*, const v1::UpdateIssueRequest* r,
                                        v1::RegionalIssue* out) {
  return common::RespondOnce(*requests_, *r, out, [&] { return issues_->UpdateIssue(*r); });
}
grpc::Status IssuesService::AddCountermeasure(grpc::ServerContext*,
                                              const v1::AddCountermeasureRequest* r,
                                              v1::RegionalIssue* out) {
  return common::RespondOnce(*requests_, *r, out, [&] { return issues_->AddCountermeasure(*r); });
}
grpc::Status IssuesService::UpdateCountermeasure(grpc::ServerContext*,
                                                 const v1::UpdateCountermeasureRequest* r,
                                                 v1::RegionalIssue* out) {
  return common::RespondOnce(*requests_, *r, out,
                             [&] { return issues_->UpdateCountermeasure(*r); });
}
grpc::Status IssuesService::AddExpectedChange(grpc::ServerContext*,
                                              const v1::AddExpectedChangeRequest* r,
                                              v1::RegionalIssue* out) {
  return common::RespondOnce(*requests_, *r, out, [&] { return issues_->AddExpectedChange(*r); });
}
grpc::Status IssuesService::UpdateExpectedChange(grpc::ServerContext*,
                                                 const v1::UpdateExpectedChangeRequest* r,
                                                 v1::RegionalIssue* out) {
  return common::RespondOnce(*requests_, *r, out,
                             [&] { return issues_->UpdateExpectedChange(*r); });
}
grpc::Status IssuesService::AdvanceStep(grpc::ServerContext*, const v1::AdvanceStepRequest* r,
                                        v1::RegionalIssue* out) {
  return common::RespondOnce(*requests_, *r, out, [&] { return issues_->AdvanceStep(*r); });
}
grpc::Status IssuesService::ReturnToStep(grpc::ServerContext*, const v1::ReturnToStepRequest* r,
                                         v1::RegionalIssue* out) {
  return common::RespondOnce(*requests_, *r, out, [&] { return issues_->ReturnToStep(*r); });
}
grpc::Status IssuesService::StartNewCycle(grpc::ServerContext*, const v1::StartNewCycleRequest* r,
                                          v1::RegionalIssue* out) {
  return common::RespondOnce(*requests_, *r, out, [&] { return issues_->StartNewCycle(*r); });
}
grpc::Status IssuesService::EscalateIssue(grpc::ServerContext*, const v1::EscalateIssueRequest* r,
                                          v1::RegionalIssue* out) {
  return common::RespondOnce(*requests_, *r, out, [&] { return issues_->EscalateIssue(*r); });
}
grpc::Status IssuesService::ListWideAreaIssues(grpc::ServerContext*,
                                               const v1::ListWideAreaIssuesRequest*,
                                               v1::ListWideAreaIssuesResponse* out) {
  return common::Respond(issues_->ListWideAreaIssues(), out);
}
grpc::Status IssuesService::ExportWorksheet(grpc::ServerContext*,
                                            const v1::ExportWorksheetRequest* r,
                                            v1::Worksheet* out) {
  return common::Respond(issues_->ExportWorksheet(*r), out);
}
grpc::Status IssuesService::RecordMeeting(grpc::ServerContext*, const v1::RecordMeetingRequest* r,
                                          v1::Meeting* out) {
  return common::RespondOnce(*requests_, *r, out, [&] { return issues_->RecordMeeting(*r); });
}
grpc::Status IssuesService::UpdateMeeting(grpc::ServerContext*, const v1::UpdateMeetingRequest* r,
                                          v1::Meeting* out) {
  return common::RespondOnce(*requests_, *r, out, [&] { return issues_->UpdateMeeting(*r); });
}
grpc::Status IssuesService::GetMeeting(grpc::ServerContext*, const v1::GetMeetingRequest* r,
                                       v1::Meeting* out) {
  return common::Respond(issues_->GetMeeting(*r), out);
}
grpc::Status IssuesService::ListMeetings(grpc::ServerContext*, const v1::ListMeetingsRequest* r,
                                         v1::ListMeetingsResponse* out) {
  return common::Respond(issues_->ListMeetings(*r), out);
}

}  // namespace renkei::issues

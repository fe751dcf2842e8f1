#include "intake_service.h"

#include "renkei/common/grpc_status.h"
#include "renkei/common/requests.h"

namespace renkei::intake {
grpc::Status IntakeService::CreateConsultation(grpc::ServerContext*,
                                               const v1::CreateConsultationRequest* request,
                                               v1::Consultation* response) {
  return common::RespondOnce(*requests_, *request, response,
                             [&] { return intake_->Create(*request); });
}
grpc::Status IntakeService::GetConsultation(grpc::ServerContext*,
                                            const v1::GetConsultationRequest* request,
                                            v1::Consultation* response) {
  return common::Respond(intake_->Get(request->id()), response);
}
grpc::Status IntakeService::ListConsultations(grpc::ServerContext*,
                                              const v1::ListConsultationsRequest* request,
                                              v1::ListConsultationsResponse* response) {
  return common::Respond(intake_->List(*request), response);
}
grpc::Status IntakeService::UpdateConsultation(grpc::ServerContext*,
                                               const v1::UpdateConsultationRequest* request,
                                               v1::Consultation* response) {
  return common::RespondOnce(*requests_, *request, response,
                             [&] { return intake_->Update(*request); });
}
grpc::Status IntakeService::ChangeStatus(grpc::ServerContext*,
                                         const v1::ChangeStatusRequest* request,
                                         v1::Consultation* response) {
  return common::RespondOnce(*requests_, *request, response,
                             [&] { return intake_->ChangeStatus(*request); });
}
grpc::Status IntakeService::AddNeed(grpc::ServerContext*, const v1::AddNeedRequest* request,
                                    v1::Consultation* response) {
  return common::RespondOnce(*requests_, *request, response,
                             [&] { return intake_->AddNeed(*request); });
}
grpc::Status IntakeService::MatchResources(grpc::ServerContext*,
                                           const v1::MatchResourcesRequest* request,
                                           v1::MatchResourcesResponse* response) {
  return common::RespondOnce(*requests_, *request, response,
                             [&] { return intake_->Match(*request); });
}
grpc::Status IntakeService::Refer(grpc::ServerContext*, const v1::ReferRequest* request,
                                  v1::Consultation* response) {
  return common::RespondOnce(*requests_, *request, response,
                             [&] { return intake_->Refer(*request); });
}
grpc::Status IntakeService::RecordReferralOutcome(grpc::ServerContext*,
                                                  const v1::RecordReferralOutcomeRequest* request,
                                                  v1::Consultation* response) {
  return common::RespondOnce(*requests_, *request, response,
                             [&] { return intake_->RecordOutcome(*request); });
}
grpc::Status IntakeService::AddFollowUp(grpc::ServerContext*, const v1::AddFollowUpRequest* request,
                                        v1::Consultation* response) {
  return common::RespondOnce(*requests_, *request, response,
                             [&] { return intake_->AddFollowUp(*request); });
}
grpc::Status IntakeService::CompleteFollowUp(grpc::ServerContext*,
                                             const v1::CompleteFollowUpRequest* request,
                                             v1::Consultation* response) {
  return common::RespondOnce(*requests_, *request, response,
                             [&] { return intake_->CompleteFollowUp(*request); });
}
grpc::Status IntakeService::ListOverdueFollowUps(grpc::ServerContext*,
                                                 const v1::ListOverdueFollowUpsRequest* request,
                                                 v1::ListOverdueFollowUpsResponse* response) {
  return common::Respond(intake_->Overdue(*request), response);
}
grpc::Status IntakeService::RaiseIssueSeed(grpc::ServerContext*,
                                           const v1::RaiseIssueSeedRequest* request,
                                           v1::Consultation* response) {
  return common::RespondOnce(*requests_, *request, response,
                             [&] { return intake_->RaiseSeed(*request); });
}
grpc::Status IntakeService::ListIssueSeeds(grpc::ServerContext*,
                                           const v1::ListIssueSeedsRequest* request,
                                           v1::ListIssueSeedsResponse* response) {
  return common::Respond(intake_->Seeds(*request), response);
}
grpc::Status IntakeService::GetNeedGaps(grpc::ServerContext*, const v1::GetNeedGapsRequest* request,
                                        v1::NeedGapReport* response) {
  return common::Respond(intake_->NeedGaps(*request), response);
}

grpc::Status IntakeService::GetDigest(grpc::ServerContext*, const v1::GetDigestRequest* request,
                                      v1::Digest* response) {
  return common::Respond(intake_->Digest(*request), response);
}

}  // namespace renkei::intake

#include "intake_service.h"

#include "renkei/common/grpc_status.h"
#include "renkei/common/requests.h"

namespace renkei::intake {
grpc::Status IntakeService::CreateConsultation(grpc::ServerContext*,
                                               const v1::CreateConsultationRequest* r,
                                               v1::Consultation* out) {
  return common::RespondOnce(*requests_, *r, out, [&] { return intake_->Create(*r); });
}
grpc::Status IntakeService::GetConsultation(grpc::ServerContext*,
                                            const v1::GetConsultationRequest* r,
                                            v1::Consultation* out) {
  return common::Respond(intake_->Get(r->id()), out);
}
grpc::Status IntakeService::ListConsultations(grpc::ServerContext*,
                                              const v1::ListConsultationsRequest* r,
                                              v1::ListConsultationsResponse* out) {
  return common::Respond(intake_->List(*r), out);
}
grpc::Status IntakeService::UpdateConsultation(grpc::ServerContext*,
                                               const v1::UpdateConsultationRequest* r,
                                               v1::Consultation* out) {
  return common::RespondOnce(*requests_, *r, out, [&] { return intake_->Update(*r); });
}
grpc::Status IntakeService::ChangeStatus(grpc::ServerContext*, const v1::ChangeStatusRequest* r,
                                         v1::Consultation* out) {
  return common::RespondOnce(*requests_, *r, out, [&] { return intake_->ChangeStatus(*r); });
}
grpc::Status IntakeService::AddNeed(grpc::ServerContext*, const v1::AddNeedRequest* r,
                                    v1::Consultation* out) {
  return common::RespondOnce(*requests_, *r, out, [&] { return intake_->AddNeed(*r); });
}
grpc::Status IntakeService::MatchResources(grpc::ServerContext*, const v1::MatchResourcesRequest* r,
                                           v1::MatchResourcesResponse* out) {
  return common::RespondOnce(*requests_, *r, out, [&] { return intake_->Match(*r); });
}
grpc::Status IntakeService::Refer(grpc::ServerContext*, const v1::ReferRequest* r,
                                  v1::Consultation* out) {
  return common::RespondOnce(*requests_, *r, out, [&] { return intake_->Refer(*r); });
}
grpc::Status IntakeService::RecordReferralOutcome(grpc::ServerContext*,
                                                  const v1::RecordReferralOutcomeRequest* r,
                                                  v1::Consultation* out) {
  return common::RespondOnce(*requests_, *r, out, [&] { return intake_->RecordOutcome(*r); });
}
grpc::Status IntakeService::AddFollowUp(grpc::ServerContext*, const v1::AddFollowUpRequest* r,
                                        v1::Consultation* out) {
  return common::RespondOnce(*requests_, *r, out, [&] { return intake_->AddFollowUp(*r); });
}
grpc::Status IntakeService::CompleteFollowUp(grpc::ServerContext*,
                                             const v1::CompleteFollowUpRequest* r,
                                             v1::Consultation* out) {
  return common::RespondOnce(*requests_, *r, out, [&] { return intake_->CompleteFollowUp(*r); });
}
grpc::Status IntakeService::ListOverdueFollowUps(grpc::ServerContext*,
                                                 const v1::ListOverdueFollowUpsRequest* r,
                                                 v1::ListOverdueFollowUpsResponse* out) {
  return common::Respond(intake_->Overdue(*r), out);
}
grpc::Status IntakeService::RaiseIssueSeed(grpc::ServerContext*, const v1::RaiseIssueSeedRequest* r,
                                           v1::Consultation* out) {
  return common::RespondOnce(*requests_, *r, out, [&] { return intake_->RaiseSeed(*r); });
}
grpc::Status IntakeService::ListIssueSeeds(grpc::ServerContext*, const v1::ListIssueSeedsRequest* r,
                                           v1::ListIssueSeedsResponse* out) {
  return common::Respond(intake_->Seeds(*r), out);
}
grpc::Status IntakeService::GetDigest(grpc::ServerContext*, const v1::GetDigestRequest* r,
                                      v1::Digest* out) {
  return common::Respond(intake_->Digest(*r), out);
}

}  // namespace renkei::intake

#include "intake_service.h"

#include "renkei/common/grpc_status.h"

namespace renkei::intake {
namespace {

template <typename T>
grpc::Status Respond(absl::StatusOr<T> result, T* response) {
  if (!result.ok()) return common::ToGrpcStatus(result.status());
  *response = std::move(*result);
  return grpc::Status::OK;
}

}  // namespace

grpc::Status IntakeService::CreateConsultation(grpc::ServerContext*,
                                               const v1::CreateConsultationRequest* r,
                                               v1::Consultation* out) {
  return Respond(intake_->Create(*r), out);
}
grpc::Status IntakeService::GetConsultation(grpc::ServerContext*,
                                            const v1::GetConsultationRequest* r,
                                            v1::Consultation* out) {
  return Respond(intake_->Get(r->id()), out);
}
grpc::Status IntakeService::ListConsultations(grpc::ServerContext*,
                                              const v1::ListConsultationsRequest* r,
                                              v1::ListConsultationsResponse* out) {
  return Respond(intake_->List(*r), out);
}
grpc::Status IntakeService::UpdateConsultation(grpc::ServerContext*,
                                               const v1::UpdateConsultationRequest* r,
                                               v1::Consultation* out) {
  return Respond(intake_->Update(*r), out);
}
grpc::Status IntakeService::ChangeStatus(grpc::ServerContext*, const v1::ChangeStatusRequest* r,
                                         v1::Consultation* out) {
  return Respond(intake_->ChangeStatus(*r), out);
}
grpc::Status IntakeService::AddNeed(grpc::ServerContext*, const v1::AddNeedRequest* r,
                                    v1::Consultation* out) {
  return Respond(intake_->AddNeed(*r), out);
}
grpc::Status IntakeService::MatchResources(grpc::ServerContext*, const v1::MatchResourcesRequest* r,
                                           v1::MatchResourcesResponse* out) {
  return Respond(intake_->Match(*r), out);
}
grpc::Status IntakeService::Refer(grpc::ServerContext*, const v1::ReferRequest* r,
                                  v1::Consultation* out) {
  return Respond(intake_->Refer(*r), out);
}
grpc::Status IntakeService::RecordReferralOutcome(grpc::ServerContext*,
                                                  const v1::RecordReferralOutcomeRequest* r,
                                                  v1::Consultation* out) {
  return Respond(intake_->RecordOutcome(*r), out);
}
grpc::Status IntakeService::AddFollowUp(grpc::ServerContext*, const v1::AddFollowUpRequest* r,
                                        v1::Consultation* out) {
  return Respond(intake_->AddFollowUp(*r), out);
}
grpc::Status IntakeService::CompleteFollowUp(grpc::ServerContext*,
                                             const v1::CompleteFollowUpRequest* r,
                                             v1::Consultation* out) {
  return Respond(intake_->CompleteFollowUp(*r), out);
}
grpc::Status IntakeService::ListOverdueFollowUps(grpc::ServerContext*,
                                                 const v1::ListOverdueFollowUpsRequest* r,
                                                 v1::ListOverdueFollowUpsResponse* out) {
  return Respond(intake_->Overdue(*r), out);
}
grpc::Status IntakeService::RaiseIssueSeed(grpc::ServerContext*, const v1::RaiseIssueSeedRequest* r,
                                           v1::Consultation* out) {
  return Respond(intake_->RaiseSeed(*r), out);
}
grpc::Status IntakeService::ListIssueSeeds(grpc::ServerContext*, const v1::ListIssueSeedsRequest* r,
                                           v1::ListIssueSeedsResponse* out) {
  return Respond(intake_->Seeds(*r), out);
}
grpc::Status IntakeService::GetDigest(grpc::ServerContext*, const v1::GetDigestRequest* r,
                                      v1::Digest* out) {
  return Respond(intake_->Digest(*r), out);
}

}  // namespace renkei::intake

// The gRPC edge of intake: maps requests to Intake calls and statuses to gRPC statuses.
#pragma once

#include "intake.h"
#include "renkei/common/requests.h"
#include "renkei/v1/intake.grpc.pb.h"

namespace renkei::intake {

class IntakeService final : public v1::IntakeService::Service {
 public:
  IntakeService(Intake* intake, common::RequestLedger* requests)
      : intake_(intake), requests_(requests) {}

  grpc::Status CreateConsultation(grpc::ServerContext*,
                                  const v1::CreateConsultationRequest* request,
                                  v1::Consultation* response) override;
  grpc::Status GetConsultation(grpc::ServerContext*, const v1::GetConsultationRequest* request,
                               v1::Consultation* response) override;
  grpc::Status ListConsultations(grpc::ServerContext*, const v1::ListConsultationsRequest* request,
                                 v1::ListConsultationsResponse* response) override;
  grpc::Status UpdateConsultation(grpc::ServerContext*,
                                  const v1::UpdateConsultationRequest* request,
                                  v1::Consultation* response) override;
  grpc::Status ChangeStatus(grpc::ServerContext*, const v1::ChangeStatusRequest* request,
                            v1::Consultation* response) override;
  grpc::Status AddNeed(grpc::ServerContext*, const v1::AddNeedRequest* request,
                       v1::Consultation* response) override;
  grpc::Status MatchResources(grpc::ServerContext*, const v1::MatchResourcesRequest* request,
                              v1::MatchResourcesResponse* response) override;
  grpc::Status Refer(grpc::ServerContext*, const v1::ReferRequest* request,
                     v1::Consultation* response) override;
  grpc::Status RecordReferralOutcome(grpc::ServerContext*,
                                     const v1::RecordReferralOutcomeRequest* request,
                                     v1::Consultation* response) override;
  grpc::Status AddFollowUp(grpc::ServerContext*, const v1::AddFollowUpRequest* request,
                           v1::Consultation* response) override;
  grpc::Status CompleteFollowUp(grpc::ServerContext*, const v1::CompleteFollowUpRequest* request,
                                v1::Consultation* response) override;
  grpc::Status ListOverdueFollowUps(grpc::ServerContext*,
                                    const v1::ListOverdueFollowUpsRequest* request,
                                    v1::ListOverdueFollowUpsResponse* response) override;
  grpc::Status RaiseIssueSeed(grpc::ServerContext*, const v1::RaiseIssueSeedRequest* request,
                              v1::Consultation* response) override;
  grpc::Status ListIssueSeeds(grpc::ServerContext*, const v1::ListIssueSeedsRequest* request,
                              v1::ListIssueSeedsResponse* response) override;
  grpc::Status GetNeedGaps(grpc::ServerContext*, const v1::GetNeedGapsRequest* request,
                           v1::NeedGapReport* response) override;
  grpc::Status GetDigest(grpc::ServerContext*, const v1::GetDigestRequest* request,
                         v1::Digest* response) override;

 private:
  Intake* intake_;
  common::RequestLedger* requests_;
};

}  // namespace renkei::intake

// The gRPC edge of resource surveys: maps requests to ResourceSurveys calls and statuses to gRPC
// statuses. No domain logic here.
#pragma once

#include "renkei/common/requests.h"
#include "renkei/v1/resource_survey.grpc.pb.h"
#include "resource_survey.h"

namespace renkei::directory {

class ResourceSurveyService final : public v1::ResourceSurveyService::Service {
 public:
  ResourceSurveyService(ResourceSurveys* surveys, common::RequestLedger* requests)
      : surveys_(surveys), requests_(requests) {}

  grpc::Status StartResourceSurvey(grpc::ServerContext* context,
                                   const v1::StartResourceSurveyRequest* request,
                                   v1::ResourceSurveyCampaign* response) override;
  grpc::Status GetResourceSurvey(grpc::ServerContext* context,
                                 const v1::GetResourceSurveyRequest* request,
                                 v1::ResourceSurveyCampaign* response) override;
  grpc::Status ListResourceSurveys(grpc::ServerContext* context,
                                   const v1::ListResourceSurveysRequest* request,
                                   v1::ListResourceSurveysResponse* response) override;
  grpc::Status ListResourceSurveyInvitations(
      grpc::ServerContext* context, const v1::ListResourceSurveyInvitationsRequest* request,
      v1::ListResourceSurveyInvitationsResponse* response) override;
  grpc::Status RenderResourceSurveyLetters(grpc::ServerContext* context,
                                           const v1::RenderResourceSurveyLettersRequest* request,
                                           v1::ResourceSurveyLetters* response) override;
  grpc::Status RevokeResourceSurveyLink(grpc::ServerContext* context,
                                        const v1::RevokeResourceSurveyLinkRequest* request,
                                        v1::ResourceSurveyInvitation* response) override;
  grpc::Status ReissueResourceSurveyLink(grpc::ServerContext* context,
                                         const v1::ReissueResourceSurveyLinkRequest* request,
                                         v1::ResourceSurveyInvitation* response) override;
  grpc::Status ReviewResourceSurveyAnswer(grpc::ServerContext* context,
                                          const v1::ReviewResourceSurveyAnswerRequest* request,
                                          v1::ResourceSurveyInvitation* response) override;
  grpc::Status RemindResourceSurvey(grpc::ServerContext* context,
                                    const v1::RemindResourceSurveyRequest* request,
                                    v1::RemindResourceSurveyResponse* response) override;
  grpc::Status ExportLiaisonContacts(grpc::ServerContext* context,
                                     const v1::ExportLiaisonContactsRequest* request,
                                     v1::LiaisonContactList* response) override;
  grpc::Status OpenResourceSurveyForm(grpc::ServerContext* context,
                                      const v1::OpenResourceSurveyFormRequest* request,
                                      v1::ResourceSurveyForm* response) override;
  grpc::Status SaveResourceSurveyAnswer(grpc::ServerContext* context,
                                        const v1::SaveResourceSurveyAnswerRequest* request,
                                        v1::ResourceSurveyForm* response) override;

 private:
  ResourceSurveys* surveys_;
  common::RequestLedger* requests_;
};

}  // namespace renkei::directory

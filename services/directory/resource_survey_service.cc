#include "resource_survey_service.h"

#include "renkei/common/grpc_status.h"

namespace renkei::directory {

grpc::Status ResourceSurveyService::StartResourceSurvey(
    grpc::ServerContext*, const v1::StartResourceSurveyRequest* request,
    v1::ResourceSurveyCampaign* response) {
  return common::RespondOnce(*requests_, *request, response,
                             [&] { return surveys_->Start(*request); });
}

grpc::Status ResourceSurveyService::GetResourceSurvey(grpc::ServerContext*,
                                                      const v1::GetResourceSurveyRequest* request,
                                                      v1::ResourceSurveyCampaign* response) {
  return common::Respond(surveys_->Get(*request), response);
}

grpc::Status ResourceSurveyService::ListResourceSurveys(
    grpc::ServerContext*, const v1::ListResourceSurveysRequest* /*request*/,
    v1::ListResourceSurveysResponse* response) {
  return common::Respond(surveys_->List(), response);
}

grpc::Status ResourceSurveyService::ListResourceSurveyInvitations(
    grpc::ServerContext*, const v1::ListResourceSurveyInvitationsRequest* request,
    v1::ListResourceSurveyInvitationsResponse* response) {
  return common::Respond(surveys_->ListInvitations(*request), response);
}

grpc::Status ResourceSurveyService::RenderResourceSurveyLetters(
    grpc::ServerContext*, const v1::RenderResourceSurveyLettersRequest* request,
    v1::ResourceSurveyLetters* response) {
  return common::Respond(surveys_->Letters(*request), response);
}

grpc::Status ResourceSurveyService::RevokeResourceSurveyLink(
    grpc::ServerContext*, const v1::RevokeResourceSurveyLinkRequest* request,
    v1::ResourceSurveyInvitation* response) {
  return common::RespondOnce(*requests_, *request, response,
                             [&] { return surveys_->Revoke(*request); });
}

grpc::Status ResourceSurveyService::ReissueResourceSurveyLink(
    grpc::ServerContext*, const v1::ReissueResourceSurveyLinkRequest* request,
    v1::ResourceSurveyInvitation* response) {
  return common::RespondOnce(*requests_, *request, response,
                             [&] { return surveys_->Reissue(*request); });
}

grpc::Status ResourceSurveyService::ReviewResourceSurveyAnswer(
    grpc::ServerContext*, const v1::ReviewResourceSurveyAnswerRequest* request,
    v1::ResourceSurveyInvitation* response) {
  return common::RespondOnce(*requests_, *request, response,
                             [&] { return surveys_->Review(*request); });
}

grpc::Status ResourceSurveyService::RemindResourceSurvey(
    grpc::ServerContext*, const v1::RemindResourceSurveyRequest* request,
    v1::RemindResourceSurveyResponse* response) {
  return common::RespondOnce(*requests_, *request, response,
                             [&] { return surveys_->Remind(*request); });
}

grpc::Status ResourceSurveyService::ExportLiaisonContacts(
    grpc::ServerContext*, const v1::ExportLiaisonContactsRequest* request,
    v1::LiaisonContactList* response) {
  return common::Respond(surveys_->ExportLiaisonContacts(*request), response);
}

grpc::Status ResourceSurveyService::OpenResourceSurveyForm(
    grpc::ServerContext*, const v1::OpenResourceSurveyFormRequest* request,
    v1::ResourceSurveyForm* response) {
  return common::Respond(surveys_->Open(*request), response);
}

grpc::Status ResourceSurveyService::SaveResourceSurveyAnswer(
    grpc::ServerContext*, const v1::SaveResourceSurveyAnswerRequest* request,
    v1::ResourceSurveyForm* response) {
  return common::RespondOnce(*requests_, *request, response,
                             [&] { return surveys_->Save(*request); });
}

}  // namespace renkei::directory

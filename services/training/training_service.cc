#include "training_service.h"

#include "renkei/common/grpc_status.h"
#include "renkei/common/requests.h"

namespace renkei::training {
grpc::Status TrainingService::GetSkillFramework(grpc::ServerContext*,
                                                const v1::GetSkillFrameworkRequest* request,
                                                v1::SkillFramework* response) {
  return common::Respond(trainings_->GetSkillFramework(*request), response);
}
grpc::Status TrainingService::PublishSkillFramework(grpc::ServerContext*,
                                                    const v1::PublishSkillFrameworkRequest* request,
                                                    v1::SkillFramework* response) {
  return common::RespondOnce(*requests_, *request, response,
                             [&] { return trainings_->PublishSkillFramework(*request); });
}
grpc::Status TrainingService::CreateTraining(grpc::ServerContext*,
                                             const v1::CreateTrainingRequest* request,
                                             v1::Training* response) {
  return common::RespondOnce(*requests_, *request, response,
                             [&] { return trainings_->CreateTraining(*request); });
}
grpc::Status TrainingService::GetTraining(grpc::ServerContext*,
                                          const v1::GetTrainingRequest* request,
                                          v1::Training* response) {
  return common::Respond(trainings_->GetTraining(*request), response);
}
grpc::Status TrainingService::ListTrainings(grpc::ServerContext*,
                                            const v1::ListTrainingsRequest* request,
                                            v1::ListTrainingsResponse* response) {
  return common::Respond(trainings_->ListTrainings(*request), response);
}
grpc::Status TrainingService::UpdateTraining(grpc::ServerContext*,
                                             const v1::UpdateTrainingRequest* request,
                                             v1::Training* response) {
  return common::RespondOnce(*requests_, *request, response,
                             [&] { return trainings_->UpdateTraining(*request); });
}
grpc::Status TrainingService::AddSession(grpc::ServerContext*, const v1::AddSessionRequest* request,
                                         v1::Training* response) {
  return common::RespondOnce(*requests_, *request, response,
                             [&] { return trainings_->AddSession(*request); });
}
grpc::Status TrainingService::UpdateSession(grpc::ServerContext*,
                                            const v1::UpdateSessionRequest* request,
                                            v1::Training* response) {
  return common::RespondOnce(*requests_, *request, response,
                             [&] { return trainings_->UpdateSession(*request); });
}
grpc::Status TrainingService::CancelTraining(grpc::ServerContext*,
                                             const v1::CancelTrainingRequest* request,
                                             v1::Training* response) {
  return common::RespondOnce(*requests_, *request, response,
                             [&] { return trainings_->CancelTraining(*request); });
}
grpc::Status TrainingService::Register(grpc::ServerContext*, const v1::RegisterRequest* request,
                                       v1::Registration* response) {
  return common::RespondOnce(*requests_, *request, response,
                             [&] { return trainings_->Register(*request); });
}
grpc::Status TrainingService::CancelRegistration(grpc::ServerContext*,
                                                 const v1::CancelRegistrationRequest* request,
                                                 v1::Registration* response) {
  return common::RespondOnce(*requests_, *request, response,
                             [&] { return trainings_->CancelRegistration(*request); });
}
grpc::Status TrainingService::GetRegistration(grpc::ServerContext*,
                                              const v1::GetRegistrationRequest* request,
                                              v1::Registration* response) {
  return common::Respond(trainings_->GetRegistration(*request), response);
}
grpc::Status TrainingService::ListRegistrations(grpc::ServerContext*,
                                                const v1::ListRegistrationsRequest* request,
                                                v1::ListRegistrationsResponse* response) {
  return common::Respond(trainings_->ListRegistrations(*request), response);
}
grpc::Status TrainingService::RecordAttendance(grpc::ServerContext*,
                                               const v1::RecordAttendanceRequest* request,
                                               v1::RecordAttendanceResponse* response) {
  return common::RespondOnce(*requests_, *request, response,
                             [&] { return trainings_->RecordAttendance(*request); });
}
grpc::Status TrainingService::SubmitSurvey(grpc::ServerContext*,
                                           const v1::SubmitSurveyRequest* request,
                                           v1::SurveyResponse* response) {
  return common::RespondOnce(*requests_, *request, response,
                             [&] { return trainings_->SubmitSurvey(*request); });
}
grpc::Status TrainingService::GetSurveyResults(grpc::ServerContext*,
                                               const v1::GetSurveyResultsRequest* request,
                                               v1::SurveyResults* response) {
  return common::Respond(trainings_->GetSurveyResults(*request), response);
}
grpc::Status TrainingService::ExportCalendar(grpc::ServerContext*,
                                             const v1::ExportCalendarRequest* request,
                                             v1::Calendar* response) {
  return common::Respond(trainings_->ExportCalendar(*request), response);
}
grpc::Status TrainingService::ListPeers(grpc::ServerContext*, const v1::ListPeersRequest* request,
                                        v1::ListPeersResponse* response) {
  return common::Respond(trainings_->ListPeers(*request), response);
}

grpc::Status TrainingService::ListPublicEvents(grpc::ServerContext*,
                                               const v1::ListPublicEventsRequest* request,
                                               v1::ListPublicEventsResponse* response) {
  return common::Respond(trainings_->ListPublicEvents(*request), response);
}
grpc::Status TrainingService::GetPublicEvent(grpc::ServerContext*,
                                             const v1::GetPublicEventRequest* request,
                                             v1::PublicEvent* response) {
  return common::Respond(trainings_->GetPublicEvent(*request), response);
}
grpc::Status TrainingService::ExportPublicCalendar(grpc::ServerContext*,
                                                   const v1::ExportPublicCalendarRequest*,
                                                   v1::Calendar* response) {
  return common::Respond(trainings_->ExportPublicCalendar(), response);
}
grpc::Status TrainingService::RegisterForPublicEvent(
    grpc::ServerContext*, const v1::RegisterForPublicEventRequest* request,
    v1::PublicRegistration* response) {
  return common::RespondOnce(*requests_, *request, response,
                             [&] { return trainings_->RegisterForPublicEvent(*request); });
}
grpc::Status TrainingService::GetPublicRegistration(grpc::ServerContext*,
                                                    const v1::GetPublicRegistrationRequest* request,
                                                    v1::PublicRegistration* response) {
  return common::Respond(trainings_->GetPublicRegistration(*request), response);
}
grpc::Status TrainingService::CancelPublicRegistration(
    grpc::ServerContext*, const v1::PublicRegistrationTokenRequest* request,
    v1::PublicRegistration* response) {
  return common::RespondOnce(*requests_, *request, response,
                             [&] { return trainings_->CancelPublicRegistration(*request); });
}
grpc::Status TrainingService::SubmitAwarenessAnswers(
    grpc::ServerContext*, const v1::SubmitAwarenessAnswersRequest* request,
    v1::AwarenessReceipt* response) {
  return common::RespondOnce(*requests_, *request, response,
                             [&] { return trainings_->SubmitAwarenessAnswers(*request); });
}
grpc::Status TrainingService::GetAwarenessResults(grpc::ServerContext*,
                                                  const v1::GetAwarenessResultsRequest* request,
                                                  v1::AwarenessResults* response) {
  return common::Respond(trainings_->GetAwarenessResults(*request), response);
}

}  // namespace renkei::training

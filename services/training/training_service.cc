#include "training_service.h"

#include "renkei/common/grpc_status.h"
#include "renkei/common/requests.h"

namespace renkei::training {
grpc::Status TrainingService::GetSkillFramework(grpc::ServerContext*,
                                                const v1::GetSkillFrameworkRequest* r,
                                                v1::SkillFramework* out) {
  return common::Respond(trainings_->GetSkillFramework(*r), out);
}
grpc::Status TrainingService::PublishSkillFramework(grpc::ServerContext*,
                                                    const v1::PublishSkillFrameworkRequest* r,
                                                    v1::SkillFramework* out) {
  return common::RespondOnce(*requests_, *r, out,
                             [&] { return trainings_->PublishSkillFramework(*r); });
}
grpc::Status TrainingService::CreateTraining(grpc::ServerContext*,
                                             const v1::CreateTrainingRequest* r,
                                             v1::Training* out) {
  return common::RespondOnce(*requests_, *r, out, [&] { return trainings_->CreateTraining(*r); });
}
grpc::Status TrainingService::GetTraining(grpc::ServerContext*, const v1::GetTrainingRequest* r,
                                          v1::Training* out) {
  return common::Respond(trainings_->GetTraining(*r), out);
}
grpc::Status TrainingService::ListTrainings(grpc::ServerContext*, const v1::ListTrainingsRequest* r,
                                            v1::ListTrainingsResponse* out) {
  return common::Respond(trainings_->ListTrainings(*r), out);
}
grpc::Status TrainingService::UpdateTraining(grpc::ServerContext*,
                                             const v1::UpdateTrainingRequest* r,
                                             v1::Training* out) {
  return common::RespondOnce(*requests_, *r, out, [&] { return trainings_->UpdateTraining(*r); });
}
grpc::Status TrainingService::AddSession(grpc::ServerContext*, const v1::AddSessionRequest* r,
                                         v1::Training* out) {
  return common::RespondOnce(*requests_, *r, out, [&] { return trainings_->AddSession(*r); });
}
grpc::Status TrainingService::UpdateSession(grpc::ServerContext*, const v1::UpdateSessionRequest* r,
                                            v1::Training* out) {
  return common::RespondOnce(*requests_, *r, out, [&] { return trainings_->UpdateSession(*r); });
}
grpc::Status TrainingService::CancelTraining(grpc::ServerContext*,
                                             const v1::CancelTrainingRequest* r,
                                             v1::Training* out) {
  return common::RespondOnce(*requests_, *r, out, [&] { return trainings_->CancelTraining(*r); });
}
grpc::Status TrainingService::Register(grpc::ServerContext*, const v1::RegisterRequest* r,
                                       v1::Registration* out) {
  return common::RespondOnce(*requests_, *r, out, [&] { return trainings_->Register(*r); });
}
grpc::Status TrainingService::CancelRegistration(grpc::ServerContext*,
                                                 const v1::CancelRegistrationRequest* r,
                                                 v1::Registration* out) {
  return common::RespondOnce(*requests_, *r, out,
                             [&] { return trainings_->CancelRegistration(*r); });
}
grpc::Status TrainingService::GetRegistration(grpc::ServerContext*,
                                              const v1::GetRegistrationRequest* r,
                                              v1::Registration* out) {
  return common::Respond(trainings_->GetRegistration(*r), out);
}
grpc::Status TrainingService::ListRegistrations(grpc::ServerContext*,
                                                const v1::ListRegistrationsRequest* r,
                                                v1::ListRegistrationsResponse* out) {
  return common::Respond(trainings_->ListRegistrations(*r), out);
}
grpc::Status TrainingService::RecordAttendance(grpc::ServerContext*,
                                               const v1::RecordAttendanceRequest* r,
                                               v1::RecordAttendanceResponse* out) {
  return common::RespondOnce(*requests_, *r, out, [&] { return trainings_->RecordAttendance(*r); });
}
grpc::Status TrainingService::SubmitSurvey(grpc::ServerContext*, const v1::SubmitSurveyRequest* r,
                                           v1::SurveyResponse* out) {
  return common::RespondOnce(*requests_, *r, out, [&] { return trainings_->SubmitSurvey(*r); });
}
grpc::Status TrainingService::GetSurveyResults(grpc::ServerContext*,
                                               const v1::GetSurveyResultsRequest* r,
                                               v1::SurveyResults* out) {
  return common::Respond(trainings_->GetSurveyResults(*r), out);
}
grpc::Status TrainingService::ExportCalendar(grpc::ServerContext*,
                                             const v1::ExportCalendarRequest* r,
                                             v1::Calendar* out) {
  return common::Respond(trainings_->ExportCalendar(*r), out);
}
grpc::Status TrainingService::ListPeers(grpc::ServerContext*, const v1::ListPeersRequest* r,
                                        v1::ListPeersResponse* out) {
  return common::Respond(trainings_->ListPeers(*r), out);
}

}  // namespace renkei::training

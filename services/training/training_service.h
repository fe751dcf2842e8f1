// The gRPC edge of the training service: maps requests to Trainings calls and statuses to gRPC
// statuses.
#pragma once

#include "renkei/common/requests.h"
#include "renkei/v1/training.grpc.pb.h"
#include "training.h"

namespace renkei::training {

class TrainingService final : public v1::TrainingService::Service {
 public:
  TrainingService(Trainings* trainings, common::RequestLedger* requests)
      : trainings_(trainings), requests_(requests) {}

  grpc::Status GetSkillFramework(grpc::ServerContext*, const v1::GetSkillFrameworkRequest* request,
                                 v1::SkillFramework* response) override;
  grpc::Status PublishSkillFramework(grpc::ServerContext*,
                                     const v1::PublishSkillFrameworkRequest* request,
                                     v1::SkillFramework* response) override;
  grpc::Status CreateTraining(grpc::ServerContext*, const v1::CreateTrainingRequest* request,
                              v1::Training* response) override;
  grpc::Status GetTraining(grpc::ServerContext*, const v1::GetTrainingRequest* request,
                           v1::Training* response) override;
  grpc::Status ListTrainings(grpc::ServerContext*, const v1::ListTrainingsRequest* request,
                             v1::ListTrainingsResponse* response) override;
  grpc::Status UpdateTraining(grpc::ServerContext*, const v1::UpdateTrainingRequest* request,
                              v1::Training* response) override;
  grpc::Status AddSession(grpc::ServerContext*, const v1::AddSessionRequest* request,
                          v1::Training* response) override;
  grpc::Status UpdateSession(grpc::ServerContext*, const v1::UpdateSessionRequest* request,
                             v1::Training* response) override;
  grpc::Status CancelTraining(grpc::ServerContext*, const v1::CancelTrainingRequest* request,
                              v1::Training* response) override;
  grpc::Status Register(grpc::ServerContext*, const v1::RegisterRequest* request,
                        v1::Registration* response) override;
  grpc::Status CancelRegistration(grpc::ServerContext*,
                                  const v1::CancelRegistrationRequest* request,
                                  v1::Registration* response) override;
  grpc::Status GetRegistration(grpc::ServerContext*, const v1::GetRegistrationRequest* request,
                               v1::Registration* response) override;
  grpc::Status ListRegistrations(grpc::ServerContext*, const v1::ListRegistrationsRequest* request,
                                 v1::ListRegistrationsResponse* response) override;
  grpc::Status RecordAttendance(grpc::ServerContext*, const v1::RecordAttendanceRequest* request,
                                v1::RecordAttendanceResponse* response) override;
  grpc::Status SubmitSurvey(grpc::ServerContext*, const v1::SubmitSurveyRequest* request,
                            v1::SurveyResponse* response) override;
  grpc::Status GetSurveyResults(grpc::ServerContext*, const v1::GetSurveyResultsRequest* request,
                                v1::SurveyResults* response) override;
  grpc::Status ExportCalendar(grpc::ServerContext*, const v1::ExportCalendarRequest* request,
                              v1::Calendar* response) override;
  grpc::Status ListPeers(grpc::ServerContext*, const v1::ListPeersRequest* request,
                         v1::ListPeersResponse* response) override;
  grpc::Status ListPublicEvents(grpc::ServerContext*, const v1::ListPublicEventsRequest* request,
                                v1::ListPublicEventsResponse* response) override;
  grpc::Status GetPublicEvent(grpc::ServerContext*, const v1::GetPublicEventRequest* request,
                              v1::PublicEvent* response) override;
  grpc::Status ExportPublicCalendar(grpc::ServerContext*, const v1::ExportPublicCalendarRequest*,
                                    v1::Calendar* response) override;
  grpc::Status RegisterForPublicEvent(grpc::ServerContext*,
                                      const v1::RegisterForPublicEventRequest* request,
                                      v1::PublicRegistration* response) override;
  grpc::Status GetPublicRegistration(grpc::ServerContext*,
                                     const v1::GetPublicRegistrationRequest* request,
                                     v1::PublicRegistration* response) override;
  grpc::Status CancelPublicRegistration(grpc::ServerContext*,
                                        const v1::PublicRegistrationTokenRequest* request,
                                        v1::PublicRegistration* response) override;
  grpc::Status SubmitAwarenessAnswers(grpc::ServerContext*,
                                      const v1::SubmitAwarenessAnswersRequest* request,
                                      v1::AwarenessReceipt* response) override;
  grpc::Status GetAwarenessResults(grpc::ServerContext*,
                                   const v1::GetAwarenessResultsRequest* request,
                                   v1::AwarenessResults* response) override;

 private:
  Trainings* trainings_;
  common::RequestLedger* requests_;
};

}  // namespace renkei::training

#include "indicators_service.h"

#include "renkei/common/grpc_status.h"
#include "renkei/common/requests.h"

namespace renkei::indicators {
grpc::Status IndicatorsService::DefineIndicator(grpc::ServerContext*,
                                                const v1::DefineIndicatorRequest* request,
                                                v1::IndicatorDefinition* response) {
  return common::RespondOnce(*requests_, *request, response,
                             [&] { return indicators_->DefineIndicator(*request); });
}
grpc::Status IndicatorsService::GetIndicator(grpc::ServerContext*,
                                             const v1::GetIndicatorRequest* request,
                                             v1::IndicatorDefinition* response) {
  return common::Respond(indicators_->GetIndicator(*request), response);
}
grpc::Status IndicatorsService::ListIndicators(grpc::ServerContext*,
                                               const v1::ListIndicatorsRequest* request,
                                               v1::ListIndicatorsResponse* response) {
  return common::Respond(indicators_->ListIndicators(*request), response);
}
grpc::Status IndicatorsService::RecordObservation(grpc::ServerContext*,
                                                  const v1::RecordObservationRequest* request,
                                                  v1::Observation* response) {
  return common::RespondOnce(*requests_, *request, response,
                             [&] { return indicators_->RecordObservation(*request); });
}
grpc::Status IndicatorsService::GetObservationHistory(
    grpc::ServerContext*, const v1::GetObservationHistoryRequest* request,
    v1::ObservationHistory* response) {
  return common::Respond(indicators_->GetObservationHistory(*request), response);
}
grpc::Status IndicatorsService::GetSeries(grpc::ServerContext*, const v1::GetSeriesRequest* request,
                                          v1::Series* response) {
  return common::Respond(indicators_->GetSeries(*request), response);
}
grpc::Status IndicatorsService::Compare(grpc::ServerContext*, const v1::CompareRequest* request,
                                        v1::Comparison* response) {
  return common::Respond(indicators_->Compare(*request), response);
}
grpc::Status IndicatorsService::RollUp(grpc::ServerContext*, const v1::RollUpRequest* request,
                                       v1::RollUpValue* response) {
  return common::Respond(indicators_->RollUp(*request), response);
}
grpc::Status IndicatorsService::GetIssueProgress(grpc::ServerContext*,
                                                 const v1::GetIssueProgressRequest* request,
                                                 v1::IssueProgress* response) {
  return common::Respond(indicators_->GetIssueProgress(*request), response);
}
grpc::Status IndicatorsService::ExportObservations(grpc::ServerContext*,
                                                   const v1::ExportObservationsRequest* request,
                                                   v1::ExportedFile* response) {
  return common::Respond(indicators_->ExportObservations(*request), response);
}
grpc::Status IndicatorsService::ImportObservations(grpc::ServerContext*,
                                                   const v1::ImportObservationsRequest* request,
                                                   v1::ImportObservationsResponse* response) {
  return common::RespondOnce(*requests_, *request, response,
                             [&] { return indicators_->ImportObservations(*request); });
}

grpc::Status IndicatorsService::RecomputeDerived(grpc::ServerContext*,
                                                 const v1::RecomputeDerivedRequest* request,
                                                 v1::RecomputeDerivedResponse* response) {
  if (feed_ == nullptr) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "no derived feed");
  return common::RespondOnce(*requests_, *request, response,
                             [&] { return feed_->Recompute(*request); });
}

grpc::Status IndicatorsService::ReconcileDerived(grpc::ServerContext*,
                                                 const v1::ReconcileDerivedRequest* request,
                                                 v1::ReconcileDerivedResponse* response) {
  if (feed_ == nullptr) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "no derived feed");
  return common::RespondOnce(*requests_, *request, response,
                             [&] { return feed_->Reconcile(*request); });
}

}  // namespace renkei::indicators

#include "indicators_service.h"

#include "renkei/common/grpc_status.h"

namespace renkei::indicators {
namespace {

template <typename T>
grpc::Status Respond(absl::StatusOr<T> result, T* response) {
  if (!result.ok()) return common::ToGrpcStatus(result.status());
  *response = std::move(*result);
  return grpc::Status::OK;
}

}  // namespace

grpc::Status IndicatorsService::DefineIndicator(grpc::ServerContext*,
                                                const v1::DefineIndicatorRequest* r,
                                                v1::IndicatorDefinition* out) {
  return Respond(indicators_->DefineIndicator(*r), out);
}
grpc::Status IndicatorsService::GetIndicator(grpc::ServerContext*, const v1::GetIndicatorRequest* r,
                                             v1::IndicatorDefinition* out) {
  return Respond(indicators_->GetIndicator(*r), out);
}
grpc::Status IndicatorsService::ListIndicators(grpc::ServerContext*,
                                               const v1::ListIndicatorsRequest* r,
                                               v1::ListIndicatorsResponse* out) {
  return Respond(indicators_->ListIndicators(*r), out);
}
grpc::Status IndicatorsService::RecordObservation(grpc::ServerContext*,
                                                  const v1::RecordObservationRequest* r,
                                                  v1::Observation* out) {
  return Respond(indicators_->RecordObservation(*r), out);
}
grpc::Status IndicatorsService::GetObservationHistory(grpc::ServerContext*,
                                                      const v1::GetObservationHistoryRequest* r,
                                                      v1::ObservationHistory* out) {
  return Respond(indicators_->GetObservationHistory(*r), out);
}
grpc::Status IndicatorsService::GetSeries(grpc::ServerContext*, const v1::GetSeriesRequest* r,
                                          v1::Series* out) {
  return Respond(indicators_->GetSeries(*r), out);
}
grpc::Status IndicatorsService::Compare(grpc::ServerContext*, const v1::CompareRequest* r,
                                        v1::Comparison* out) {
  return Respond(indicators_->Compare(*r), out);
}
grpc::Status IndicatorsService::RollUp(grpc::ServerContext*, const v1::RollUpRequest* r,
                                       v1::RollUpValue* out) {
  return Respond(indicators_->RollUp(*r), out);
}
grpc::Status IndicatorsService::GetIssueProgress(grpc::ServerContext*,
                                                 const v1::GetIssueProgressRequest* r,
                                                 v1::IssueProgress* out) {
  return Respond(indicators_->GetIssueProgress(*r), out);
}
grpc::Status IndicatorsService::ExportObservations(grpc::ServerContext*,
                                                   const v1::ExportObservationsRequest* r,
                                                   v1::ExportedFile* out) {
  return Respond(indicators_->ExportObservations(*r), out);
}
grpc::Status IndicatorsService::ImportObservations(grpc::ServerContext*,
                                                   const v1::ImportObservationsRequest* r,
                                                   v1::ImportObservationsResponse* out) {
  return Respond(indicators_->ImportObservations(*r), out);
}

}  // namespace renkei::indicators

#include "indicators_service.h"

#include "renkei/common/grpc_status.h"
#include "renkei/common/requests.h"

namespace renkei::indicators {
grpc::Status IndicatorsService::DefineIndicator(grpc::ServerContext*,
                                                const v1::DefineIndicatorRequest* r,
                                                v1::IndicatorDefinition* out) {
  return common::RespondOnce(*requests_, *r, out, [&] { return indicators_->DefineIndicator(*r); });
}
grpc::Status IndicatorsService::GetIndicator(grpc::ServerContext*, const v1::GetIndicatorRequest* r,
                                             v1::IndicatorDefinition* out) {
  return common::Respond(indicators_->GetIndicator(*r), out);
}
grpc::Status IndicatorsService::ListIndicators(grpc::ServerContext*,
                                               const v1::ListIndicatorsRequest* r,
                                               v1::ListIndicatorsResponse* out) {
  return common::Respond(indicators_->ListIndicators(*r), out);
}
grpc::Status IndicatorsService::RecordObservation(grpc::ServerContext*,
                                                  const v1::RecordObservationRequest* r,
                                                  v1::Observation* out) {
  return common::RespondOnce(*requests_, *r, out,
                             [&] { return indicators_->RecordObservation(*r); });
}
grpc::Status IndicatorsService::GetObservationHistory(grpc::ServerContext*,
                                                      const v1::GetObservationHistoryRequest* r,
                                                      v1::ObservationHistory* out) {
  return common::Respond(indicators_->GetObservationHistory(*r), out);
}
grpc::Status IndicatorsService::GetSeries(grpc::ServerContext*, const v1::GetSeriesRequest* r,
                                          v1::Series* out) {
  return common::Respond(indicators_->GetSeries(*r), out);
}
grpc::Status IndicatorsService::Compare(grpc::ServerContext*, const v1::CompareRequest* r,
                                        v1::Comparison* out) {
  return common::Respond(indicators_->Compare(*r), out);
}
grpc::Status IndicatorsService::RollUp(grpc::ServerContext*, const v1::RollUpRequest* r,
                                       v1::RollUpValue* out) {
  return common::Respond(indicators_->RollUp(*r), out);
}
grpc::Status IndicatorsService::GetIssueProgress(grpc::ServerContext*,
                                                 const v1::GetIssueProgressRequest* r,
                                                 v1::IssueProgress* out) {
  return common::Respond(indicators_->GetIssueProgress(*r), out);
}
grpc::Status IndicatorsService::ExportObservations(grpc::ServerContext*,
                                                   const v1::ExportObservationsRequest* r,
                                                   v1::ExportedFile* out) {
  return common::Respond(indicators_->ExportObservations(*r), out);
}
grpc::Status IndicatorsService::ImportObservations(grpc::ServerContext*,
                                                   const v1::ImportObservationsRequest* r,
                                                   v1::ImportObservationsResponse* out) {
  return common::RespondOnce(*requests_, *r, out,
                             [&] { return indicators_->ImportObservations(*r); });
}

grpc::Status IndicatorsService::RecomputeDerived(grpc::ServerContext*,
                                                 const v1::RecomputeDerivedRequest* r,
                                                 v1::RecomputeDerivedResponse* out) {
  if (feed_ == nullptr) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "no derived feed");
  return common::RespondOnce(*requests_, *r, out, [&] { return feed_->Recompute(*r); });
}

grpc::Status IndicatorsService::ReconcileDerived(grpc::ServerContext*,
                                                 const v1::ReconcileDerivedRequest* r,
                                                 v1::ReconcileDerivedResponse* out) {
  if (feed_ == nullptr) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "no derived feed");
  return common::RespondOnce(*requests_, *r, out, [&] { return feed_->Reconcile(*r); });
}

}  // namespace renkei::indicators

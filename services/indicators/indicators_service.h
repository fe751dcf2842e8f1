// The gRPC edge of the indicators service: maps requests to Indicators calls and statuses to
// gRPC statuses.
#pragma once

#include "derived_feed.h"
#include "indicators.h"
#include "renkei/common/requests.h"
#include "renkei/v1/indicators.grpc.pb.h"

namespace renkei::indicators {

class IndicatorsService final : public v1::IndicatorsService::Service {
 public:
  // `feed` may be null (no derived indicators: their RPCs answer UNAVAILABLE).
  IndicatorsService(Indicators* indicators, DerivedFeed* feed, common::RequestLedger* requests)
      : indicators_(indicators), feed_(feed), requests_(requests) {}

  grpc::Status DefineIndicator(grpc::ServerContext*, const v1::DefineIndicatorRequest* request,
                               v1::IndicatorDefinition* response) override;
  grpc::Status GetIndicator(grpc::ServerContext*, const v1::GetIndicatorRequest* request,
                            v1::IndicatorDefinition* response) override;
  grpc::Status ListIndicators(grpc::ServerContext*, const v1::ListIndicatorsRequest* request,
                              v1::ListIndicatorsResponse* response) override;
  grpc::Status RecordObservation(grpc::ServerContext*, const v1::RecordObservationRequest* request,
                                 v1::Observation* response) override;
  grpc::Status GetObservationHistory(grpc::ServerContext*,
                                     const v1::GetObservationHistoryRequest* request,
                                     v1::ObservationHistory* response) override;
  grpc::Status GetSeries(grpc::ServerContext*, const v1::GetSeriesRequest* request,
                         v1::Series* response) override;
  grpc::Status Compare(grpc::ServerContext*, const v1::CompareRequest* request,
                       v1::Comparison* response) override;
  grpc::Status RollUp(grpc::ServerContext*, const v1::RollUpRequest* request,
                      v1::RollUpValue* response) override;
  grpc::Status GetIssueProgress(grpc::ServerContext*, const v1::GetIssueProgressRequest* request,
                                v1::IssueProgress* response) override;
  grpc::Status ExportObservations(grpc::ServerContext*,
                                  const v1::ExportObservationsRequest* request,
                                  v1::ExportedFile* response) override;
  grpc::Status ImportObservations(grpc::ServerContext*,
                                  const v1::ImportObservationsRequest* request,
                                  v1::ImportObservationsResponse* response) override;
  grpc::Status RecomputeDerived(grpc::ServerContext*, const v1::RecomputeDerivedRequest* request,
                                v1::RecomputeDerivedResponse* response) override;
  grpc::Status ReconcileDerived(grpc::ServerContext*, const v1::ReconcileDerivedRequest* request,
                                v1::ReconcileDerivedResponse* response) override;

 private:
  Indicators* indicators_;
  DerivedFeed* feed_;
  common::RequestLedger* requests_;
};

}  // namespace renkei::indicators

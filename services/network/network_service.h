// The gRPC edge of the network service: maps requests to Network calls and statuses to gRPC
// statuses.
#pragma once

#include "network.h"
#include "renkei/common/requests.h"
#include "renkei/v1/network.grpc.pb.h"

namespace renkei::network {

class NetworkService final : public v1::NetworkService::Service {
 public:
  NetworkService(Network* network, common::RequestLedger* requests)
      : network_(network), requests_(requests) {}

  grpc::Status PutProfile(grpc::ServerContext*, const v1::PutProfileRequest* request,
                          v1::CoordinatorProfile* response) override;
  grpc::Status GetProfile(grpc::ServerContext*, const v1::GetProfileRequest* request,
                          v1::CoordinatorProfile* response) override;
  grpc::Status ListProfiles(grpc::ServerContext*, const v1::ListProfilesRequest* request,
                            v1::ListProfilesResponse* response) override;
  grpc::Status AskPeer(grpc::ServerContext*, const v1::AskPeerRequest* request,
                       v1::PeerRequest* response) override;
  grpc::Status GetPeerRequest(grpc::ServerContext*, const v1::GetPeerRequestRequest* request,
                              v1::PeerRequest* response) override;
  grpc::Status ListPeerRequests(grpc::ServerContext*, const v1::ListPeerRequestsRequest* request,
                                v1::ListPeerRequestsResponse* response) override;
  grpc::Status RespondToPeerRequest(grpc::ServerContext*,
                                    const v1::RespondToPeerRequestRequest* request,
                                    v1::PeerRequest* response) override;
  grpc::Status PublishPractice(grpc::ServerContext*, const v1::PublishPracticeRequest* request,
                               v1::Practice* response) override;
  grpc::Status WithdrawPractice(grpc::ServerContext*, const v1::WithdrawPracticeRequest* request,
                                v1::Practice* response) override;
  grpc::Status GetPractice(grpc::ServerContext*, const v1::GetPracticeRequest* request,
                           v1::Practice* response) override;
  grpc::Status SearchPractices(grpc::ServerContext*, const v1::SearchPracticesRequest* request,
                               v1::SearchPracticesResponse* response) override;
  grpc::Status AnnotatePractice(grpc::ServerContext*, const v1::AnnotatePracticeRequest* request,
                                v1::Practice* response) override;

 private:
  Network* network_;
  common::RequestLedger* requests_;
};

}  // namespace renkei::network

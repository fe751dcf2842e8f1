#include "network_service.h"

#include "renkei/common/grpc_status.h"

namespace renkei::network {

grpc::Status NetworkService::PutProfile(grpc::ServerContext*, const v1::PutProfileRequest* request,
                                        v1::CoordinatorProfile* response) {
  return common::RespondOnce(*requests_, *request, response,
                             [&] { return network_->PutProfile(*request); });
}
grpc::Status NetworkService::GetProfile(grpc::ServerContext*, const v1::GetProfileRequest* request,
                                        v1::CoordinatorProfile* response) {
  return common::Respond(network_->GetProfile(*request), response);
}
grpc::Status NetworkService::ListProfiles(grpc::ServerContext*,
                                          const v1::ListProfilesRequest* request,
                                          v1::ListProfilesResponse* response) {
  return common::Respond(network_->ListProfiles(*request), response);
}
grpc::Status NetworkService::AskPeer(grpc::ServerContext*, const v1::AskPeerRequest* request,
                                     v1::PeerRequest* response) {
  return common::RespondOnce(*requests_, *request, response,
                             [&] { return network_->Ask(*request); });
}
grpc::Status NetworkService::GetPeerRequest(grpc::ServerContext*,
                                            const v1::GetPeerRequestRequest* request,
                                            v1::PeerRequest* response) {
  return common::Respond(network_->GetRequest(*request), response);
}
grpc::Status NetworkService::ListPeerRequests(grpc::ServerContext*,
                                              const v1::ListPeerRequestsRequest* request,
                                              v1::ListPeerRequestsResponse* response) {
  return common::Respond(network_->ListRequests(*request), response);
}
grpc::Status NetworkService::RespondToPeerRequest(grpc::ServerContext*,
                                                  const v1::RespondToPeerRequestRequest* request,
                                                  v1::PeerRequest* response) {
  return common::RespondOnce(*requests_, *request, response,
                             [&] { return network_->Respond(*request); });
}

grpc::Status NetworkService::PublishPractice(grpc::ServerContext*,
                                             const v1::PublishPracticeRequest* request,
                                             v1::Practice* response) {
  return common::RespondOnce(*requests_, *request, response,
                             [&] { return network_->PublishPractice(*request); });
}
grpc::Status NetworkService::WithdrawPractice(grpc::ServerContext*,
                                              const v1::WithdrawPracticeRequest* request,
                                              v1::Practice* response) {
  return common::RespondOnce(*requests_, *request, response,
                             [&] { return network_->WithdrawPractice(*request); });
}
grpc::Status NetworkService::GetPractice(grpc::ServerContext*,
                                         const v1::GetPracticeRequest* request,
                                         v1::Practice* response) {
  return common::Respond(network_->GetPractice(*request), response);
}
grpc::Status NetworkService::SearchPractices(grpc::ServerContext*,
                                             const v1::SearchPracticesRequest* request,
                                             v1::SearchPracticesResponse* response) {
  return common::Respond(network_->SearchPractices(*request), response);
}
grpc::Status NetworkService::AnnotatePractice(grpc::ServerContext*,
                                              const v1::AnnotatePracticeRequest* request,
                                              v1::Practice* response) {
  return common::RespondOnce(*requests_, *request, response,
                             [&] { return network_->AnnotatePractice(*request); });
}

}  // namespace renkei::network

#include "sharing_service.h"

#include "renkei/common/grpc_status.h"

namespace renkei::network {

grpc::Status SharingService::PublishDocument(grpc::ServerContext*,
                                             const v1::PublishDocumentRequest* request,
                                             v1::SharedDocument* response) {
  return common::RespondOnce(*requests_, *request, response,
                             [&] { return sharing_->PublishDocument(*request); });
}
grpc::Status SharingService::WithdrawDocument(grpc::ServerContext*,
                                              const v1::WithdrawDocumentRequest* request,
                                              v1::SharedDocument* response) {
  return common::RespondOnce(*requests_, *request, response,
                             [&] { return sharing_->WithdrawDocument(*request); });
}
grpc::Status SharingService::GetDocument(grpc::ServerContext*,
                                         const v1::GetDocumentRequest* request,
                                         v1::SharedDocument* response) {
  return common::Respond(sharing_->GetDocument(*request), response);
}
grpc::Status SharingService::ListDocuments(grpc::ServerContext*,
                                           const v1::ListDocumentsRequest* request,
                                           v1::ListDocumentsResponse* response) {
  return common::Respond(sharing_->ListDocuments(*request), response);
}
grpc::Status SharingService::GetDocumentFile(grpc::ServerContext*,
                                             const v1::GetDocumentFileRequest* request,
                                             v1::DocumentFile* response) {
  return common::Respond(sharing_->GetDocumentFile(*request), response);
}
grpc::Status SharingService::PublishNotice(grpc::ServerContext*,
                                           const v1::PublishNoticeRequest* request,
                                           v1::Notice* response) {
  return common::RespondOnce(*requests_, *request, response,
                             [&] { return sharing_->PublishNotice(*request); });
}
grpc::Status SharingService::WithdrawNotice(grpc::ServerContext*,
                                            const v1::WithdrawNoticeRequest* request,
                                            v1::Notice* response) {
  return common::RespondOnce(*requests_, *request, response,
                             [&] { return sharing_->WithdrawNotice(*request); });
}
grpc::Status SharingService::ListNotices(grpc::ServerContext*,
                                         const v1::ListNoticesRequest* request,
                                         v1::ListNoticesResponse* response) {
  return common::Respond(sharing_->ListNotices(*request), response);
}
grpc::Status SharingService::GetProfessionalsBoard(grpc::ServerContext*,
                                                   const v1::GetProfessionalsBoardRequest*,
                                                   v1::ProfessionalsBoard* response) {
  return common::Respond(sharing_->Board(), response);
}
grpc::Status SharingService::RenderNoticeFeed(grpc::ServerContext*,
                                              const v1::RenderNoticeFeedRequest* request,
                                              v1::NoticeFeed* response) {
  return common::Respond(sharing_->Feed(*request), response);
}
grpc::Status SharingService::Subscribe(grpc::ServerContext*, const v1::SubscribeRequest* request,
                                       v1::SubscriptionAnswer* response) {
  return common::RespondOnce(*requests_, *request, response,
                             [&] { return sharing_->Subscribe(*request); });
}
grpc::Status SharingService::ConfirmSubscription(grpc::ServerContext*,
                                                 const v1::SubscriptionTokenRequest* request,
                                                 v1::SubscriptionAnswer* response) {
  return common::RespondOnce(*requests_, *request, response,
                             [&] { return sharing_->Confirm(*request); });
}
grpc::Status SharingService::Unsubscribe(grpc::ServerContext*,
                                         const v1::SubscriptionTokenRequest* request,
                                         v1::SubscriptionAnswer* response) {
  return common::RespondOnce(*requests_, *request, response,
                             [&] { return sharing_->Unsubscribe(*request); });
}
grpc::Status SharingService::ListSubscribers(grpc::ServerContext*,
                                             const v1::ListSubscribersRequest* request,
                                             v1::ListSubscribersResponse* response) {
  return common::Respond(sharing_->ListSubscribers(*request), response);
}
grpc::Status SharingService::RemoveSubscriber(grpc::ServerContext*,
                                              const v1::RemoveSubscriberRequest* request,
                                              v1::Subscriber* response) {
  return common::RespondOnce(*requests_, *request, response,
                             [&] { return sharing_->RemoveSubscriber(*request); });
}

}  // namespace renkei::network

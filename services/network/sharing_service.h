// The gRPC edge of information sharing (sharing.proto): maps requests to Sharing calls and
// statuses to gRPC statuses.
#pragma once

#include "renkei/common/requests.h"
#include "renkei/v1/sharing.grpc.pb.h"
#include "sharing.h"

namespace renkei::network {

class SharingService final : public v1::SharingService::Service {
 public:
  SharingService(Sharing* sharing, common::RequestLedger* requests)
      : sharing_(sharing), requests_(requests) {}

  grpc::Status PublishDocument(grpc::ServerContext*, const v1::PublishDocumentRequest* request,
                               v1::SharedDocument* response) override;
  grpc::Status WithdrawDocument(grpc::ServerContext*, const v1::WithdrawDocumentRequest* request,
                                v1::SharedDocument* response) override;
  grpc::Status GetDocument(grpc::ServerContext*, const v1::GetDocumentRequest* request,
                           v1::SharedDocument* response) override;
  grpc::Status ListDocuments(grpc::ServerContext*, const v1::ListDocumentsRequest* request,
                             v1::ListDocumentsResponse* response) override;
  grpc::Status GetDocumentFile(grpc::ServerContext*, const v1::GetDocumentFileRequest* request,
                               v1::DocumentFile* response) override;
  grpc::Status PublishNotice(grpc::ServerContext*, const v1::PublishNoticeRequest* request,
                             v1::Notice* response) override;
  grpc::Status WithdrawNotice(grpc::ServerContext*, const v1::WithdrawNoticeRequest* request,
                              v1::Notice* response) override;
  grpc::Status ListNotices(grpc::ServerContext*, const v1::ListNoticesRequest* request,
                           v1::ListNoticesResponse* response) override;
  grpc::Status GetProfessionalsBoard(grpc::ServerContext*,
                                     const v1::GetProfessionalsBoardRequest* request,
                                     v1::ProfessionalsBoard* response) override;
  grpc::Status RenderNoticeFeed(grpc::ServerContext*, const v1::RenderNoticeFeedRequest* request,
                                v1::NoticeFeed* response) override;
  grpc::Status Subscribe(grpc::ServerContext*, const v1::SubscribeRequest* request,
                         v1::SubscriptionAnswer* response) override;
  grpc::Status ConfirmSubscription(grpc::ServerContext*,
                                   const v1::SubscriptionTokenRequest* request,
                                   v1::SubscriptionAnswer* response) override;
  grpc::Status Unsubscribe(grpc::ServerContext*, const v1::SubscriptionTokenRequest* request,
                           v1::SubscriptionAnswer* response) override;
  grpc::Status ListSubscribers(grpc::ServerContext*, const v1::ListSubscribersRequest* request,
                               v1::ListSubscribersResponse* response) override;
  grpc::Status RemoveSubscriber(grpc::ServerContext*, const v1::RemoveSubscriberRequest* request,
                                v1::Subscriber* response) override;

 private:
  Sharing* sharing_;
  common::RequestLedger* requests_;
};

}  // namespace renkei::network

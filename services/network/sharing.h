// Information sharing among professionals (sharing.proto, docs/outreach.md): the library of
// rules and forms with their versions and files, notices to professionals, the professionals'
// page and its Atom feed, and the subscriber list that receives notices by mail.
//
// Storage (this module's column families, beside the network's): "documents" (id ->
// SharedDocument: issued here, and copies of those issued above), "document_files" (key
// "<document id>/<version, 6 digits>/<chunk, 6 digits>" -> the chunk's bytes; public data),
// "notices" (id -> Notice), "subscribers" (id -> Subscriber, sealed: the address is personal),
// "sharing_secrets" (the link secret), and the mail queue (common/mail_queue.h).
//
// A document or notice issued here is changed by commands, a copy only by its issuer's events
// (from the parent's stream: what the prefecture and the nation issue). Every command and every
// event applied is one synced batch with its events and the mails it queues. Commands on one
// record are serialized by striped locks; subscribers by one lock (a list, rarely changed).
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "renkei/common/at_rest.h"
#include "renkei/common/clock.h"
#include "renkei/common/events.h"
#include "renkei/common/links.h"
#include "renkei/common/locks.h"
#include "renkei/common/mail_queue.h"
#include "renkei/common/outbox.h"
#include "renkei/common/store.h"
#include "renkei/common/table.h"
#include "renkei/v1/events.pb.h"
#include "renkei/v1/sharing.pb.h"

namespace renkei::network {

inline constexpr int64_t kMaxDocumentBytes = 5 << 20;
inline constexpr int kDocumentChunkBytes = 256 << 10;

struct SharingOptions {
  v1::InstanceLevel level = v1::INSTANCE_LEVEL_MUNICIPALITY;
  std::string jurisdiction_code;  // "132250", "130001", "000000"
  std::string jurisdiction_name;  // "稲城市", "東京都", "国"
  // Where the links in mails point: "https://renkei.city.example.lg.jp".
  std::string link_origin;
};

class Sharing {
 public:
  static std::vector<std::string> ColumnFamilies();

  // `mail` may be null or disabled (no SMTP server): notices are not mailed and subscribing is
  // refused (FAILED_PRECONDITION: the list cannot confirm addresses).
  Sharing(common::Store* store, common::Outbox* outbox, const common::RecordSealer* sealer,
          common::EventSource events, common::MailQueue* mail, SharingOptions options,
          const common::Clock* clock = common::SystemClock::Get());

  // Reads (or creates) the link secret. Call once before serving.
  absl::Status Load();

  absl::StatusOr<v1::SharedDocument> PublishDocument(const v1::PublishDocumentRequest& r);
  absl::StatusOr<v1::SharedDocument> WithdrawDocument(const v1::WithdrawDocumentRequest& r);
  absl::StatusOr<v1::SharedDocument> GetDocument(const v1::GetDocumentRequest& r) const;
  absl::StatusOr<v1::ListDocumentsResponse> ListDocuments(const v1::ListDocumentsRequest& r) const;
  absl::StatusOr<v1::DocumentFile> GetDocumentFile(const v1::GetDocumentFileRequest& r) const;

  absl::StatusOr<v1::Notice> PublishNotice(const v1::PublishNoticeRequest& r);
  absl::StatusOr<v1::Notice> WithdrawNotice(const v1::WithdrawNoticeRequest& r);
  absl::StatusOr<v1::ListNoticesResponse> ListNotices(const v1::ListNoticesRequest& r) const;

  absl::StatusOr<v1::ProfessionalsBoard> Board() const;
  absl::StatusOr<v1::NoticeFeed> Feed(const v1::RenderNoticeFeedRequest& r) const;

  absl::StatusOr<v1::SubscriptionAnswer> Subscribe(const v1::SubscribeRequest& r);
  absl::StatusOr<v1::SubscriptionAnswer> Confirm(const v1::SubscriptionTokenRequest& r);
  absl::StatusOr<v1::SubscriptionAnswer> Unsubscribe(const v1::SubscriptionTokenRequest& r);
  absl::StatusOr<v1::ListSubscribersResponse> ListSubscribers(
      const v1::ListSubscribersRequest& r) const;
  absl::StatusOr<v1::Subscriber> RemoveSubscriber(const v1::RemoveSubscriberRequest& r);

  // A sharing event from the parent's stream: a document, a piece of its file or a notice
  // issued above this instance (a notice is mailed to this instance's subscribers). Events of
  // issuers that do not cover this instance change nothing.
  absl::Status ApplyEvent(const v1::EventEnvelope& event, common::CommandBatch* cmd);

  // The links of a subscriber's mails (tests).
  std::string ConfirmLink(const v1::Subscriber& s) const;
  std::string UnsubscribeLink(const v1::Subscriber& s) const;

 private:
  v1::ShareLevel IssueShare() const;
  // Whether an issuer's jurisdiction covers this instance (the nation, this prefecture).
  bool CoversHere(const std::string& issuer_code) const;
  // Whether the event's origin may speak for `issuer_code`.
  bool FromIssuer(const v1::EventEnvelope& event, const std::string& issuer_code) const;
  absl::StatusOr<v1::SharedDocument> LoadOwnDocument(const std::string& id,
                                                     int64_t expected_version) const;
  absl::StatusOr<v1::Notice> LoadOwnNotice(const std::string& id, int64_t expected_version) const;
  void StageDocument(const v1::SharedDocument& d, common::CommandBatch* cmd) const;
  // The file's chunks, stored and (issued here) published.
  void StageFile(const v1::SharedDocument& d, int version, const std::string& content,
                 common::CommandBatch* cmd) const;
  // Whether every chunk of the version is here and the digest matches.
  absl::StatusOr<bool> FileComplete(const std::string& document_id,
                                    const v1::DocumentVersion& v) const;
  absl::StatusOr<std::string> ReadFile(const std::string& document_id, int version) const;
  void StageNotice(const v1::Notice& n, bool mail, common::CommandBatch* cmd) const;
  // Queues the notice's mail for every active subscriber it reaches; the number queued.
  absl::StatusOr<int> QueueNoticeMails(const v1::Notice& n, common::CommandBatch* cmd) const;
  absl::Status ApplyDocument(const v1::EventEnvelope& event, common::CommandBatch* cmd);
  absl::Status ApplyChunk(const v1::EventEnvelope& event, common::CommandBatch* cmd);
  absl::Status ApplyNotice(const v1::EventEnvelope& event, common::CommandBatch* cmd);
  // The subscriber a link's token names, when the token is that subscriber's for `purpose`.
  absl::StatusOr<v1::Subscriber> SubscriberOfToken(const std::string& token,
                                                   std::string_view purpose, bool previous) const;
  void StageSubscriber(const v1::Subscriber& s, common::CommandBatch* cmd) const;
  std::string IssuerName(const std::string& code) const;

  common::Store* store_;
  common::Outbox* outbox_;
  common::EventSource events_;
  common::MailQueue* mail_;
  SharingOptions options_;
  const common::Clock* clock_;
  common::Table<v1::SharedDocument> documents_;
  common::Table<v1::Notice> notices_;
  common::Table<v1::Subscriber> subscribers_;
  common::ColumnFamily files_;
  const common::RecordSealer* sealer_;
  std::optional<common::LinkSigner> links_;
  mutable common::StripedLocks locks_;
  mutable std::mutex subscribers_mu_;
};

}  // namespace renkei::network

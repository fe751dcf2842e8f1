// Sharing: documents with versions and files, notices, the professionals' page and feed, and
// what the issuers above send down. Subscribers: sharing_subscribers.cc.
#include "sharing.h"

#include <sodium.h>

#include <algorithm>
#include <cstdlib>

#include "absl/strings/escaping.h"
#include "absl/strings/str_format.h"
#include "renkei/common/dates.h"
#include "renkei/common/errors.h"
#include "renkei/common/ids.h"
#include "renkei/common/jurisdiction.h"
#include "renkei/common/labels.h"
#include "renkei/common/status_macros.h"
#include "renkei/common/text.h"
#include "renkei/common/validation.h"
#include "sharing_rules.h"

namespace renkei::network {
namespace {

constexpr char kDocuments[] = "documents";
constexpr char kFiles[] = "document_files";
constexpr char kNotices[] = "notices";
constexpr char kSubscribers[] = "subscribers";
constexpr char kSecrets[] = "sharing_secrets";
constexpr char kAggregate[] = "sharing";
constexpr int kBoardNotices = 50;

std::string ChunkKey(const std::string& document_id, int version, int index) {
  return absl::StrFormat("%s/%06d/%06d", document_id, version, index);
}

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

int ChunkCount(int64_t size) {
  return static_cast<int>((size + kDocumentChunkBytes - 1) / kDocumentChunkBytes);
}

bool Newer(const google::protobuf::Timestamp& a, const google::protobuf::Timestamp& b) {
  return common::MicrosFromTimestamp(a) > common::MicrosFromTimestamp(b);
}

}  // namespace

std::vector<std::string> Sharing::ColumnFamilies() {
  return {kDocuments, kFiles, kNotices, kSubscribers, kSecrets, common::MailQueue::kFamily};
}

Sharing::Sharing(common::Store* store, common::Outbox* outbox, const common::RecordSealer* sealer,
                 common::EventSource events, common::MailQueue* mail, SharingOptions options,
                 const common::Clock* clock)
    : store_(store),
      outbox_(outbox),
      events_(std::move(events)),
      mail_(mail),
      options_(std::move(options)),
      clock_(clock),
      documents_(store, nullptr, kDocuments, {"ルール・様式", "document"}),
      notices_(store, nullptr, kNotices, {"お知らせ", "notice"}),
      subscribers_(store, sealer, kSubscribers, {"配信先", "subscriber"}),
      files_(store->Cf(kFiles)),
      sealer_(sealer) {}

absl::Status Sharing::Load() {
  ASSIGN_OR_RETURN(common::LinkSigner links,
                   common::LinkSigner::LoadOrCreate(store_, sealer_, kSecrets, "links"));
  links_.emplace(std::move(links));
  return absl::OkStatus();
}

v1::ShareLevel Sharing::IssueShare() const {
  switch (options_.level) {
    case v1::INSTANCE_LEVEL_NATIONAL:
      return v1::SHARE_LEVEL_NATIONAL;
    case v1::INSTANCE_LEVEL_PREFECTURE:
      return v1::SHARE_LEVEL_PREFECTURE;
    default:
      return v1::SHARE_LEVEL_LOCAL;
  }
}

bool Sharing::CoversHere(const std::string& issuer_code) const {
  return issuer_code != options_.jurisdiction_code &&
         Within(options_.jurisdiction_code, issuer_code);
}

bool Sharing::FromIssuer(const v1::EventEnvelope& event, const std::string& issuer_code) const {
  if (issuer_code == "000000") return event.origin_instance() == "national";
  const common::Prefecture* p = common::Jurisdictions::Get().FindPrefecture(issuer_code);
  return p != nullptr && p->code == issuer_code &&
         event.origin_instance() == "p" + p->prefecture_code;
}

std::string Sharing::IssuerName(const std::string& code) const {
  if (code == options_.jurisdiction_code) return options_.jurisdiction_name;
  if (code == "000000") return "国";
  const auto& j = common::Jurisdictions::Get();
  if (const auto* p = j.FindPrefecture(code); p != nullptr && p->code == code) return p->name;
  if (const auto* m = j.FindMunicipality(code); m != nullptr) return m->name;
  return code;
}

// ---------------------------------------------------------------------------------------------
// Documents.

void Sharing::StageDocument(const v1::SharedDocument& d, common::CommandBatch* cmd) const {
  documents_.Put(&cmd->batch(), d.id(), d);
  if (d.copy()) return;
  auto e = common::NewEvent(events_, kAggregate, d.id(), d.version(), IssueShare(),
                            options_.jurisdiction_code);
  *e.mutable_document_published()->mutable_document() = d;
  cmd->AddEvent(e);
}

void Sharing::StageFile(const v1::SharedDocument& d, int version, const std::string& content,
                        common::CommandBatch* cmd) const {
  const int count = ChunkCount(static_cast<int64_t>(content.size()));
  for (int i = 0; i < count; ++i) {
    const std::string_view data = std::string_view(content).substr(
        static_cast<size_t>(i) * kDocumentChunkBytes, kDocumentChunkBytes);
    cmd->batch().Put(files_, ChunkKey(d.id(), version, i), data);
    auto e = common::NewEvent(events_, kAggregate, d.id(), d.version(), IssueShare(),
                              options_.jurisdiction_code);
    auto* c = e.mutable_document_file_chunk();
    c->set_document_id(d.id());
    c->set_version(version);
    c->set_index(i);
    c->set_count(count);
    c->set_data(std::string(data));
    cmd->AddEvent(e);
  }
}

absl::StatusOr<v1::SharedDocument> Sharing::LoadOwnDocument(const std::string& id,
                                                            int64_t expected_version) const {
  RETURN_IF_ERROR(common::CheckId("doc", id, "document.id"));
  return common::LoadForChange<v1::SharedDocument>(
      documents_, id, expected_version,
      {.id_field = "document.id",
       .owner =
           [](const v1::SharedDocument& d) {
             return d.copy() ? common::NotAllowedNow("document.id",
                                                     "ほかの団体が発行したルール・様式です / "
                                                     "another instance issued this document")
                             : absl::OkStatus();
           },
       .state =
           [](const v1::SharedDocument& d) {
             return d.withdrawn() ? common::NotAllowedNow("document.id",
                                                          "取り下げたルール・様式です / withdrawn")
                                  : absl::OkStatus();
           }});
}

absl::StatusOr<v1::SharedDocument> Sharing::PublishDocument(const v1::PublishDocumentRequest& r) {
  common::FieldViolations v;
  ValidateDocumentFields(r.document(), "document", &v);
  ValidateDocumentFile(r.file_name(), r.content(), &v);
  v.CheckText("change_note", r.change_note(), {.max_chars = 500, .single_line = false});
  v.CheckDate("effective_on", r.effective_on().year(), r.effective_on().month(),
              r.effective_on().day());
  const bool new_document = r.document().id().empty();
  if (!new_document) {
    common::CheckExpectedVersion(r.expected_version(), &v);
    if (common::TrimSpaces(r.change_note()).empty()) {
      v.Add("change_note", "改訂の内容を書いてください / required for a new version");
    }
  }
  RETURN_IF_ERROR(v.ToStatus());
  auto lock = locks_.LockShared(new_document ? std::string("new") : r.document().id());
  v1::SharedDocument d;
  if (new_document) {
    d.set_id(common::NewId("doc", *clock_));
    d.set_issuer_level(options_.level);
    d.set_issuer_code(options_.jurisdiction_code);
  } else {
    ASSIGN_OR_RETURN(d, LoadOwnDocument(r.document().id(), r.expected_version()));
  }
  d.set_title(std::string(common::TrimSpaces(r.document().title())));
  d.set_kind(r.document().kind());
  *d.mutable_audiences() = r.document().audiences();
  d.set_public_(r.document().public_());
  d.set_description(r.document().description());
  const auto now = clock_->NowTimestamp();
  v1::DocumentVersion* version = d.add_versions();
  version->set_number(d.versions_size());
  version->set_change_note(r.change_note());
  if (r.has_effective_on() && r.effective_on().year() != 0) {
    *version->mutable_effective_on() = r.effective_on();
  } else {
    *version->mutable_effective_on() = common::TokyoDate(clock_->NowMicros());
  }
  version->set_file_name(r.file_name());
  version->set_content_type(SniffDocumentType(r.file_name(), r.content()));
  version->set_size(static_cast<int64_t>(r.content().size()));
  version->set_sha256(Sha256Hex(r.content()));
  *version->mutable_published_at() = now;
  version->set_file_available(true);
  d.set_version(d.version() + 1);
  *d.mutable_updated_at() = now;
  common::CommandBatch cmd(store_, outbox_);
  cmd.Hold(lock);
  StageDocument(d, &cmd);
  StageFile(d, version->number(), r.content(), &cmd);
  cmd.SetAnswer(d);
  RETURN_IF_ERROR(cmd.Commit());
  return d;
}

absl::StatusOr<v1::SharedDocument> Sharing::WithdrawDocument(const v1::WithdrawDocumentRequest& r) {
  RETURN_IF_ERROR(common::CheckExpectedVersion(r.expected_version()));
  auto lock = locks_.LockShared(r.id());
  ASSIGN_OR_RETURN(v1::SharedDocument d, LoadOwnDocument(r.id(), r.expected_version()));
  d.set_withdrawn(true);
  common::NextVersion(&d, *clock_);
  common::CommandBatch cmd(store_, outbox_);
  cmd.Hold(lock);
  StageDocument(d, &cmd);
  cmd.SetAnswer(d);
  RETURN_IF_ERROR(cmd.Commit());
  return d;
}

absl::StatusOr<v1::SharedDocument> Sharing::GetDocument(const v1::GetDocumentRequest& r) const {
  RETURN_IF_ERROR(common::CheckId("doc", r.id(), "id"));
  return documents_.Get(r.id());
}

absl::StatusOr<v1::ListDocumentsResponse> Sharing::ListDocuments(
    const v1::ListDocumentsRequest& r) const {
  common::FieldViolations v;
  v.CheckEnum("kind", r.kind(), v1::DocumentKind_IsValid, true);
  RETURN_IF_ERROR(v.ToStatus());
  v1::ListDocumentsResponse out;
  RETURN_IF_ERROR(documents_.ForEach("", [&](std::string_view, const v1::SharedDocument& d) {
    if ((d.withdrawn() && !r.include_withdrawn()) ||
        (r.kind() != v1::DOCUMENT_KIND_UNSPECIFIED && d.kind() != r.kind())) {
      return true;
    }
    *out.add_documents() = d;
    return true;
  }));
  std::sort(out.mutable_documents()->begin(), out.mutable_documents()->end(),
            [](const v1::SharedDocument& a, const v1::SharedDocument& b) {
              return Newer(a.updated_at(), b.updated_at());
            });
  return out;
}

absl::StatusOr<std::string> Sharing::ReadFile(const std::string& document_id, int version) const {
  std::string content;
  RETURN_IF_ERROR(store_->ScanPrefix(files_, absl::StrFormat("%s/%06d/", document_id, version),
                                     [&](std::string_view, std::string_view data) {
                                       content.append(data);
                                       return true;
                                     }));
  return content;
}

absl::StatusOr<bool> Sharing::FileComplete(const std::string& document_id,
                                           const v1::DocumentVersion& v) const {
  ASSIGN_OR_RETURN(std::string content, ReadFile(document_id, v.number()));
  return static_cast<int64_t>(content.size()) == v.size() && Sha256Hex(content) == v.sha256() &&
         SniffDocumentType(v.file_name(), content) == v.content_type();
}

absl::StatusOr<v1::DocumentFile> Sharing::GetDocumentFile(
    const v1::GetDocumentFileRequest& r) const {
  RETURN_IF_ERROR(common::CheckId("doc", r.document_id(), "document_id"));
  ASSIGN_OR_RETURN(v1::SharedDocument d, documents_.Get(r.document_id()));
  if (r.public_only() && (!d.public_() || d.withdrawn())) {
    return common::NotFoundError("renkei.v1.SharedDocument", r.document_id(),
                                 "ルール・様式が見つかりません / no such document");
  }
  if (r.version() < 0) return common::InvalidField("version", "1 以上の版です / at least 1");
  const int wanted = r.version() == 0 ? d.versions_size() : r.version();
  if (wanted < 1 || wanted > d.versions_size()) {
    return common::NotFoundError("renkei.v1.DocumentVersion",
                                 r.document_id() + "@" + std::to_string(r.version()),
                                 "その版はありません / no such version");
  }
  const v1::DocumentVersion& v = d.versions(wanted - 1);
  if (!v.file_available()) {
    return absl::UnavailableError(
        "ファイルを受信中です。しばらくしてから開いてください / the file has not arrived yet");
  }
  ASSIGN_OR_RETURN(std::string content, ReadFile(d.id(), v.number()));
  v1::DocumentFile out;
  out.set_file_name(v.file_name());
  out.set_content_type(v.content_type());
  out.set_content(std::move(content));
  out.set_version(v.number());
  out.set_sha256(v.sha256());
  return out;
}

// ---------------------------------------------------------------------------------------------
// Notices.

void Sharing::StageNotice(const v1::Notice& n, bool mail, common::CommandBatch* cmd) const {
  notices_.Put(&cmd->batch(), n.id(), n);
  if (n.copy()) return;
  auto e = common::NewEvent(events_, kAggregate, n.id(), n.version(), IssueShare(),
                            n.jurisdiction_code());
  v1::Notice travelling = n;
  travelling.clear_mails_queued();
  *e.mutable_notice_published()->mutable_notice() = travelling;
  e.mutable_notice_published()->set_mail(mail);
  cmd->AddEvent(e);
}

absl::StatusOr<v1::Notice> Sharing::LoadOwnNotice(const std::string& id,
                                                  int64_t expected_version) const {
  RETURN_IF_ERROR(common::CheckId("ntc", id, "notice.id"));
  return common::LoadForChange<v1::Notice>(
      notices_, id, expected_version,
      {.id_field = "notice.id",
       .owner =
           [](const v1::Notice& n) {
             return n.copy() ? common::NotAllowedNow("notice.id",
                                                     "ほかの団体のお知らせです / another "
                                                     "instance issued this notice")
                             : absl::OkStatus();
           },
       .state =
           [](const v1::Notice& n) {
             return n.withdrawn()
                        ? common::NotAllowedNow("notice.id", "取り下げたお知らせです / withdrawn")
                        : absl::OkStatus();
           }});
}

absl::StatusOr<v1::Notice> Sharing::PublishNotice(const v1::PublishNoticeRequest& r) {
  common::FieldViolations v;
  ValidateNotice(r.notice(), options_.jurisdiction_code, "notice", &v);
  const bool new_notice = r.notice().id().empty();
  if (!new_notice) common::CheckExpectedVersion(r.expected_version(), &v);
  RETURN_IF_ERROR(v.ToStatus());
  auto lock = locks_.LockShared(new_notice ? std::string("new") : r.notice().id());
  const auto now = clock_->NowTimestamp();
  v1::Notice n;
  if (new_notice) {
    n.set_id(common::NewId("ntc", *clock_));
    n.set_issuer_level(options_.level);
    n.set_issuer_code(options_.jurisdiction_code);
    *n.mutable_published_at() = now;
  } else {
    ASSIGN_OR_RETURN(n, LoadOwnNotice(r.notice().id(), r.expected_version()));
  }
  n.set_title(std::string(common::TrimSpaces(r.notice().title())));
  n.set_body(r.notice().body());
  *n.mutable_audiences() = r.notice().audiences();
  n.set_jurisdiction_code(r.notice().jurisdiction_code().empty() ? options_.jurisdiction_code
                                                                 : r.notice().jurisdiction_code());
  *n.mutable_links() = r.notice().links();
  n.set_public_(r.notice().public_());
  n.set_version(n.version() + 1);
  *n.mutable_updated_at() = now;
  const bool mail = new_notice || r.mail_again();
  common::CommandBatch cmd(store_, outbox_);
  cmd.Hold(lock);
  if (mail) {
    ASSIGN_OR_RETURN(int queued, QueueNoticeMails(n, &cmd));
    n.set_mails_queued(n.mails_queued() + queued);
  }
  StageNotice(n, mail, &cmd);
  cmd.SetAnswer(n);
  RETURN_IF_ERROR(cmd.Commit());
  return n;
}

absl::StatusOr<v1::Notice> Sharing::WithdrawNotice(const v1::WithdrawNoticeRequest& r) {
  RETURN_IF_ERROR(common::CheckExpectedVersion(r.expected_version()));
  auto lock = locks_.LockShared(r.id());
  ASSIGN_OR_RETURN(v1::Notice n, LoadOwnNotice(r.id(), r.expected_version()));
  n.set_withdrawn(true);
  common::NextVersion(&n, *clock_);
  common::CommandBatch cmd(store_, outbox_);
  cmd.Hold(lock);
  StageNotice(n, false, &cmd);
  cmd.SetAnswer(n);
  RETURN_IF_ERROR(cmd.Commit());
  return n;
}

absl::StatusOr<v1::ListNoticesResponse> Sharing::ListNotices(
    const v1::ListNoticesRequest& r) const {
  if (r.limit() < 0 || r.limit() > 500) {
    return common::InvalidField("limit", "500 件以内で指定してください / at most 500");
  }
  v1::ListNoticesResponse out;
  RETURN_IF_ERROR(notices_.ForEach("", [&](std::string_view, const v1::Notice& n) {
    if (!n.withdrawn() || r.include_withdrawn()) *out.add_notices() = n;
    return true;
  }));
  auto* list = out.mutable_notices();
  std::sort(list->begin(), list->end(), [](const v1::Notice& a, const v1::Notice& b) {
    return Newer(a.published_at(), b.published_at()) ||
           (!Newer(b.published_at(), a.published_at()) && a.id() > b.id());
  });
  const int limit = r.limit() == 0 ? 100 : r.limit();
  while (list->size() > limit) list->RemoveLast();
  return out;
}

// ---------------------------------------------------------------------------------------------
// The professionals' page and feed.

absl::StatusOr<v1::ProfessionalsBoard> Sharing::Board() const {
  v1::ProfessionalsBoard board;
  board.set_jurisdiction_code(options_.jurisdiction_code);
  board.set_jurisdiction_name(options_.jurisdiction_name);
  v1::ListNoticesRequest all;
  all.set_limit(500);
  ASSIGN_OR_RETURN(v1::ListNoticesResponse notices, ListNotices(all));
  for (auto& n : *notices.mutable_notices()) {
    // A notice from above about another municipality is not this page's.
    if (!n.public_() || !Within(options_.jurisdiction_code, n.jurisdiction_code())) continue;
    if (board.notices_size() == kBoardNotices) break;
    n.clear_mails_queued();
    *board.add_notices() = std::move(n);
  }
  ASSIGN_OR_RETURN(v1::ListDocumentsResponse documents, ListDocuments({}));
  for (auto& d : *documents.mutable_documents()) {
    if (d.public_()) *board.add_documents() = std::move(d);
  }
  return board;
}

absl::StatusOr<v1::NoticeFeed> Sharing::Feed(const v1::RenderNoticeFeedRequest& r) const {
  common::FieldViolations v;
  v.CheckText("feed_url", r.feed_url(), {.required = true, .max_chars = 500});
  v.CheckText("page_url", r.page_url(), {.required = true, .max_chars = 500});
  RETURN_IF_ERROR(v.ToStatus());
  ASSIGN_OR_RETURN(v1::ProfessionalsBoard board, Board());
  std::vector<v1::Notice> notices(board.notices().begin(), board.notices().end());
  std::vector<std::string> names;
  names.reserve(notices.size());
  for (const auto& n : notices) names.push_back(IssuerName(n.issuer_code()));
  v1::NoticeFeed out;
  out.set_content_type("application/atom+xml; charset=utf-8");
  out.set_content(AtomFeed(notices, names, options_.jurisdiction_name, r.feed_url(), r.page_url()));
  out.set_entries(static_cast<int>(notices.size()));
  return out;
}

// ---------------------------------------------------------------------------------------------
// What comes down from above.

absl::Status Sharing::ApplyEvent(const v1::EventEnvelope& event, common::CommandBatch* cmd) {
  if (event.origin_instance() == events_.origin_instance) return absl::OkStatus();
  if (event.has_document_published()) return ApplyDocument(event, cmd);
  if (event.has_document_file_chunk()) return ApplyChunk(event, cmd);
  if (event.has_notice_published()) return ApplyNotice(event, cmd);
  return absl::OkStatus();  // a type this version does not know, or a subscriber's (local)
}

absl::Status Sharing::ApplyDocument(const v1::EventEnvelope& event, common::CommandBatch* cmd) {
  v1::SharedDocument d = event.document_published().document();
  if (!common::IsWellFormedId("doc", d.id()) || !FromIssuer(event, d.issuer_code())) {
    return absl::InvalidArgumentError("document event without id or from another issuer");
  }
  // What arrives is checked as the issuer's service checked it (a copy is served here).
  common::FieldViolations v;
  ValidateDocumentFields(d, "document", &v);
  for (int i = 0; i < d.versions_size(); ++i) {
    const auto& version = d.versions(i);
    if (version.number() != i + 1 || version.size() < 1 || version.size() > kMaxDocumentBytes ||
        version.sha256().size() != 64 || TypeOfName(version.file_name()).empty() ||
        TypeOfName(version.file_name()) != version.content_type()) {
      v.Add("document.versions[" + std::to_string(i) + "]", "not a version this service makes");
    }
  }
  if (!v.empty()) return absl::InvalidArgumentError("document event with invalid fields");
  if (!CoversHere(d.issuer_code())) return absl::OkStatus();
  cmd->Hold(locks_.LockShared(d.id()));
  ASSIGN_OR_RETURN(std::optional<v1::SharedDocument> stored, documents_.Find(d.id()));
  if (stored && (!stored->copy() || stored->issuer_code() != d.issuer_code())) {
    return absl::InvalidArgumentError("document id of another issuer's document");
  }
  if (stored && stored->version() >= d.version()) return absl::OkStatus();
  d.set_copy(true);
  // Chunks may have come first (they follow in the same batch, but a replay can reorder
  // nothing; still, availability is computed from what is here, never taken from the issuer).
  for (auto& v : *d.mutable_versions()) {
    const bool earlier = stored && v.number() <= stored->versions_size() &&
                         stored->versions(v.number() - 1).file_available();
    if (earlier) {
      v.set_file_available(true);
    } else {
      ASSIGN_OR_RETURN(bool complete, FileComplete(d.id(), v));
      v.set_file_available(complete);
    }
  }
  documents_.Put(&cmd->batch(), d.id(), d);
  return absl::OkStatus();
}

absl::Status Sharing::ApplyChunk(const v1::EventEnvelope& event, common::CommandBatch* cmd) {
  const v1::DocumentFileChunk& c = event.document_file_chunk();
  if (!common::IsWellFormedId("doc", c.document_id()) || c.version() < 1 || c.count() < 1 ||
      c.index() < 0 || c.index() >= c.count() ||
      static_cast<int>(c.data().size()) > kDocumentChunkBytes ||
      c.count() > ChunkCount(kMaxDocumentBytes)) {
    return absl::InvalidArgumentError("document chunk out of range");
  }
  const std::string& origin = event.origin_instance();
  const common::Prefecture* own_prefecture =
      common::Jurisdictions::Get().FindPrefecture(options_.jurisdiction_code.substr(0, 2));
  const bool from_above =
      options_.level != v1::INSTANCE_LEVEL_NATIONAL &&
      (origin == "national" ||
       (options_.level == v1::INSTANCE_LEVEL_MUNICIPALITY && own_prefecture != nullptr &&
        origin == "p" + own_prefecture->prefecture_code));
  if (!from_above) return absl::OkStatus();
  cmd->Hold(locks_.LockShared(c.document_id()));
  ASSIGN_OR_RETURN(std::optional<v1::SharedDocument> d, documents_.Find(c.document_id()));
  if (d && (!d->copy() || !FromIssuer(event, d->issuer_code()))) return absl::OkStatus();
  // Kept even before its document (which then completes it): pieces carry no more than the
  // document's own event would.
  cmd->batch().Put(files_, ChunkKey(c.document_id(), c.version(), c.index()), c.data());
  if (!d || c.version() > d->versions_size()) return absl::OkStatus();
  v1::DocumentVersion* v = d->mutable_versions(c.version() - 1);
  if (v->file_available()) return absl::OkStatus();
  // The pieces here, with this one (in the batch, not yet in the store), in order.
  std::vector<std::string> pieces(static_cast<size_t>(c.count()));
  std::vector<bool> have(pieces.size(), false);
  RETURN_IF_ERROR(store_->ScanPrefix(
      files_, absl::StrFormat("%s/%06d/", c.document_id(), c.version()),
      [&](std::string_view key, std::string_view data) {
        const int index = std::atoi(std::string(key.substr(key.rfind('/') + 1)).c_str());
        if (index >= 0 && index < c.count()) {
          pieces[index] = std::string(data);
          have[index] = true;
        }
        return true;
      }));
  pieces[c.index()] = c.data();
  have[c.index()] = true;
  if (std::find(have.begin(), have.end(), false) != have.end()) return absl::OkStatus();
  std::string content;
  for (const auto& piece : pieces) content += piece;
  // The digest says it is the issuer's file; its contents must also be what its name says.
  v->set_file_available(static_cast<int64_t>(content.size()) == v->size() &&
                        Sha256Hex(content) == v->sha256() &&
                        SniffDocumentType(v->file_name(), content) == v->content_type());
  documents_.Put(&cmd->batch(), d->id(), *d);
  return absl::OkStatus();
}

absl::Status Sharing::ApplyNotice(const v1::EventEnvelope& event, common::CommandBatch* cmd) {
  const v1::NoticePublished& published = event.notice_published();
  v1::Notice n = published.notice();
  if (!common::IsWellFormedId("ntc", n.id()) || !FromIssuer(event, n.issuer_code())) {
    return absl::InvalidArgumentError("notice event without id or from another issuer");
  }
  common::FieldViolations v;
  ValidateNotice(n, n.issuer_code(), "notice", &v);
  if (!v.empty()) return absl::InvalidArgumentError("notice event with invalid fields");
  if (!CoversHere(n.issuer_code()) || !Within(options_.jurisdiction_code, n.jurisdiction_code())) {
    return absl::OkStatus();
  }
  cmd->Hold(locks_.LockShared(n.id()));
  ASSIGN_OR_RETURN(std::optional<v1::Notice> stored, notices_.Find(n.id()));
  if (stored && (!stored->copy() || stored->issuer_code() != n.issuer_code())) {
    return absl::InvalidArgumentError("notice id of another issuer's notice");
  }
  if (stored && stored->version() >= n.version()) return absl::OkStatus();
  n.set_copy(true);
  n.set_mails_queued(stored ? stored->mails_queued() : 0);
  if (published.mail() && !n.withdrawn()) {
    ASSIGN_OR_RETURN(int queued, QueueNoticeMails(n, cmd));
    n.set_mails_queued(n.mails_queued() + queued);
  }
  notices_.Put(&cmd->batch(), n.id(), n);
  return absl::OkStatus();
}

}  // namespace renkei::network

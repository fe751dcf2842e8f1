// renkeictl sharing: information sharing among professionals (docs/outreach.md) — the library of
// rules and forms (documents, document, publish, file, withdraw, liaison-contacts), notices
// (notices, notify, withdraw-notice) and the mail subscribers (subscribers, subscribe,
// unsubscribe).
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "audience_words.h"
#include "cli.h"
#include "renkei/v1/resource_survey.grpc.pb.h"
#include "renkei/v1/sharing.grpc.pb.h"
#include "words.h"

namespace renkei::cli {
namespace {

inline constexpr Word<v1::DocumentKind> kKinds[] = {
    {"rule", v1::DOCUMENT_KIND_RULE},
    {"form", v1::DOCUMENT_KIND_FORM},
    {"contact-list", v1::DOCUMENT_KIND_CONTACT_LIST},
    {"guide", v1::DOCUMENT_KIND_GUIDE},
};

inline constexpr Word<v1::NoticeLinkKind> kLinkKinds[] = {
    {"training", v1::NOTICE_LINK_KIND_TRAINING},
    {"document", v1::NOTICE_LINK_KIND_DOCUMENT},
    {"practice", v1::NOTICE_LINK_KIND_PRACTICE},
    {"web", v1::NOTICE_LINK_KIND_WEB},
};

inline constexpr Word<v1::SubscriberState> kStates[] = {
    {"pending", v1::SUBSCRIBER_STATE_PENDING},
    {"active", v1::SUBSCRIBER_STATE_ACTIVE},
    {"removed", v1::SUBSCRIBER_STATE_REMOVED},
};

std::unique_ptr<v1::SharingService::Stub> Stub() {
  return v1::SharingService::NewStub(Channel(Options().network_address));
}

// "東京都" for a copy from above, "(この団体)" for one issued here.
std::string Issuer(const std::string& code, bool copy) {
  return copy ? JurisdictionName(code) : "(この団体)";
}

void PrintDocument(const v1::SharedDocument& d) {
  Field("ルール・様式", d.title());
  Field("ID", d.id());
  Field("種類", LabelOf(kKinds, d.kind()));
  Field("発信", Issuer(d.issuer_code(), d.copy()));
  Field("対象", d.audiences().empty() ? "医療・介護関係者" : AudienceText(d.audiences()));
  Field("公開", d.public_() ? "公開ページに載せる" : "関係者のみ");
  if (d.withdrawn()) Field("状態", "取り下げ済み");
  Field("説明", d.description());
  for (int i = d.versions_size() - 1; i >= 0; --i) {
    const auto& v = d.versions(i);
    const bool current = i == d.versions_size() - 1;
    Field(current ? "現行版" : "旧版",
          "第" + std::to_string(v.number()) + "版 (" + FormatDateOrEmpty(v.effective_on()) +
              " 施行) " + v.file_name() + " " + std::to_string(v.size()) + " バイト" +
              (v.file_available() ? "" : " (ファイル受信中)") +
              (v.change_note().empty() ? "" : "\n" + v.change_note()));
  }
  Field("版", std::to_string(d.version()));
}

void PrintNotice(const v1::Notice& n) {
  Field("お知らせ", n.title());
  Field("ID", n.id());
  Field("発信", Issuer(n.issuer_code(), n.copy()));
  Field("対象", n.audiences().empty() ? "医療・介護関係者" : AudienceText(n.audiences()));
  Field("地域", JurisdictionName(n.jurisdiction_code()));
  Field("公開", n.public_() ? "公開ページとフィードに載せる" : "関係者のみ");
  if (n.withdrawn()) Field("状態", "取り下げ済み");
  Field("本文", n.body());
  for (const auto& l : n.links()) {
    Field(LabelOf(kLinkKinds, l.kind()), (l.title().empty() ? "" : l.title() + " ") + l.target());
  }
  if (!n.copy()) Field("メール", std::to_string(n.mails_queued()) + " 件");
  Field("版", std::to_string(n.version()));
}

// "web|https://...|関連ページ" → a link.
bool ParseLink(const std::string& spec, v1::NoticeLink* out) {
  const std::vector<std::string> parts = Split(spec, '|');
  if (parts.size() < 2 || parts.size() > 3) return false;
  const auto kind = FromWord(kLinkKinds, parts[0], v1::NOTICE_LINK_KIND_UNSPECIFIED);
  if (kind == v1::NOTICE_LINK_KIND_UNSPECIFIED) return false;
  out->set_kind(kind);
  out->set_target(parts[1]);
  if (parts.size() == 3) out->set_title(parts[2]);
  return true;
}

// The last path segment of `path`.
std::string BaseName(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

void AddSharingCommands(CLI::App& app, std::function<int()>* run) {
  auto* sharing = app.add_subcommand(
      "sharing",
      "医療・介護関係者の情報共有: ルール・様式、お知らせ、配信先 / information sharing among "
      "professionals");
  sharing->require_subcommand(1);
  auto id = std::make_shared<std::string>();
  auto version = std::make_shared<int64_t>(0);

  // The library of rules and forms.
  auto kind_word = std::make_shared<std::string>();
  auto* documents = sharing->add_subcommand("documents", "ルール・様式の一覧 / list documents");
  documents->add_option("--kind", *kind_word, "種類: " + Choices(kKinds));
  auto include_withdrawn = std::make_shared<bool>(false);
  documents->add_flag("--include-withdrawn", *include_withdrawn, "取り下げたものも表示");
  documents->callback([=] {
    *run = [=] {
      v1::ListDocumentsRequest req;
      req.set_kind(FromWord(kKinds, *kind_word, v1::DOCUMENT_KIND_UNSPECIFIED));
      req.set_include_withdrawn(*include_withdrawn);
      auto stub = Stub();
      return CallAndPrint(
          *stub, &v1::SharingService::Stub::ListDocuments, req,
          [](const v1::ListDocumentsResponse& resp) {
            Table t({"題名", "種類", "発信", "現行版", "公開", "ID"});
            for (const auto& d : resp.documents()) {
              t.Add({d.title(), LabelOf(kKinds, d.kind()), Issuer(d.issuer_code(), d.copy()),
                     "第" + std::to_string(d.versions_size()) + "版",
                     d.withdrawn() ? "取り下げ" : (d.public_() ? "公開" : "関係者"), d.id()});
            }
            t.Print({40, 10, 12, 8, 8, 30});
            std::printf("\n%d 件\n", resp.documents_size());
          });
    };
  });
  auto* document = sharing->add_subcommand("document", "ルール・様式を開く / show a document");
  document->add_option("id", *id, "ルール・様式 (doc_...)")->required();
  document->callback([=] {
    *run = [=] {
      v1::GetDocumentRequest req;
      req.set_id(*id);
      auto stub = Stub();
      return CallAndPrint(*stub, &v1::SharingService::Stub::GetDocument, req, PrintDocument);
    };
  });

  struct PublishArgs {
    std::string id, title, kind = "rule", description, file, note, effective;
    std::vector<std::string> audiences;
    bool is_public = false;
    int64_t version = 0;
  };
  auto pa = std::make_shared<PublishArgs>();
  auto* publish = sharing->add_subcommand(
      "publish", "ルール・様式を公開する (--id で新しい版) / publish a document or a new version");
  publish->add_option("--file", pa->file, "ファイル (PDF・Excel・Word・CSV、5 MB まで)")
      ->required();
  publish->add_option("--title", pa->title, "題名 (例: 入退院支援ルール)")->required();
  publish->add_option("--kind", pa->kind, "種類: " + Choices(kKinds))->capture_default_str();
  publish->add_option("--audience", pa->audiences, "対象 (繰り返し可): " + Choices(kAudiences));
  publish->add_flag("--public", pa->is_public, "公開ページ (/board/) に載せる");
  publish->add_option("--description", pa->description, "説明");
  publish->add_option("--id", pa->id, "新しい版にするルール・様式 (doc_...)");
  publish->add_option("--version", pa->version, "読み込んだ版 (--id と一緒に)");
  publish->add_option("--note", pa->note, "改定の内容 (新しい版に必須)");
  publish->add_option("--effective", pa->effective, "施行日 YYYY-MM-DD (省略時は今日)")
      ->check(DateCheck());
  publish->callback([=] {
    *run = [=] {
      v1::PublishDocumentRequest req;
      if (!ReadWholeFile(pa->file, req.mutable_content())) {
        std::fprintf(stderr, "ファイルを読めません / cannot read %s\n", pa->file.c_str());
        return static_cast<int>(kUsage);
      }
      auto* d = req.mutable_document();
      d->set_id(pa->id);
      d->set_title(pa->title);
      d->set_kind(FromWord(kKinds, pa->kind, v1::DOCUMENT_KIND_UNSPECIFIED));
      for (const auto& a : pa->audiences) {
        d->add_audiences(FromWord(kAudiences, a, v1::AUDIENCE_ROLE_UNSPECIFIED));
      }
      d->set_public_(pa->is_public);
      d->set_description(pa->description);
      req.set_expected_version(pa->version);
      req.set_file_name(BaseName(pa->file));
      req.set_change_note(pa->note);
      if (!pa->effective.empty()) ParseDate(pa->effective, req.mutable_effective_on());
      auto stub = Stub();
      return CallAndPrint(*stub, &v1::SharingService::Stub::PublishDocument, req, PrintDocument);
    };
  });
  auto out = std::make_shared<std::string>();
  auto file_version = std::make_shared<int>(0);
  auto* file = sharing->add_subcommand("file", "ルール・様式のファイルを保存する / save a file");
  file->add_option("id", *id, "ルール・様式 (doc_...)")->required();
  file->add_option("--version", *file_version, "第何版か (省略時は現行版)");
  file->add_option("--out", *out, "保存先 (省略時はファイル名のまま)");
  file->callback([=] {
    *run = [=] {
      v1::GetDocumentFileRequest req;
      req.set_document_id(*id);
      req.set_version(*file_version);
      auto stub = Stub();
      return CallAndPrint(
          *stub, &v1::SharingService::Stub::GetDocumentFile, req, [out](const v1::DocumentFile& f) {
            // Only a name: a path the issuer wrote must not say where it lands.
            const std::string path = out->empty() ? BaseName(f.file_name()) : *out;
            if (!WriteWholeFile(path, f.content())) {
              std::fprintf(stderr, "書き込めません / cannot write %s\n", path.c_str());
              return;
            }
            std::printf("第%d版を %s に保存しました (%zu バイト、SHA-256 %s)\n", f.version(),
                        path.c_str(), f.content().size(), f.sha256().c_str());
          });
    };
  });
  auto* withdraw = sharing->add_subcommand("withdraw", "ルール・様式を取り下げる");
  withdraw->add_option("id", *id, "ルール・様式 (doc_...)")->required();
  withdraw->add_option("--version", *version, "読み込んだ版")->required();
  withdraw->callback([=] {
    *run = [=] {
      v1::WithdrawDocumentRequest req;
      req.set_id(*id);
      req.set_expected_version(*version);
      auto stub = Stub();
      return CallAndPrint(*stub, &v1::SharingService::Stub::WithdrawDocument, req,
                          [](const v1::SharedDocument& d) {
                            std::printf("ルール・様式 %s を取り下げました\n", d.title().c_str());
                          });
    };
  });
  auto internal = std::make_shared<bool>(false);
  auto* contacts = sharing->add_subcommand(
      "liaison-contacts", "連携窓口一覧 (CSV) を名簿から作る / export the liaison contacts");
  contacts->add_flag("--internal", *internal, "関係者限りの窓口も含める (公開ページには載せない)");
  contacts->add_option("--out", *out, "保存先 (省略時は所定のファイル名)");
  contacts->callback([=] {
    *run = [=] {
      v1::ExportLiaisonContactsRequest req;
      req.set_include_internal(*internal);
      auto stub = v1::ResourceSurveyService::NewStub(Channel(Options().directory_address));
      return CallAndPrint(*stub, &v1::ResourceSurveyService::Stub::ExportLiaisonContacts, req,
                          [out](const v1::LiaisonContactList& l) {
                            const std::string path = out->empty() ? l.file_name() : *out;
                            if (!WriteWholeFile(path, l.content())) {
                              std::fprintf(stderr, "書き込めません / cannot write %s\n",
                                           path.c_str());
                              return;
                            }
                            std::printf("%d 件 (関係者限り %d 件) を %s に保存しました\n", l.rows(),
                                        l.internal_rows(), path.c_str());
                          });
    };
  });

  // Notices.
  auto limit = std::make_shared<int>(0);
  auto* notices = sharing->add_subcommand("notices", "お知らせの一覧 / list notices");
  notices->add_flag("--include-withdrawn", *include_withdrawn, "取り下げたものも表示");
  notices->add_option("--limit", *limit, "件数 (既定 100、500 まで)");
  notices->callback([=] {
    *run = [=] {
      v1::ListNoticesRequest req;
      req.set_include_withdrawn(*include_withdrawn);
      req.set_limit(*limit);
      auto stub = Stub();
      return CallAndPrint(*stub, &v1::SharingService::Stub::ListNotices, req,
                          [](const v1::ListNoticesResponse& resp) {
                            Table t({"日付", "題名", "発信", "公開", "メール", "ID"});
                            for (const auto& n : resp.notices()) {
                              t.Add({FormatTokyoDate(n.published_at()), n.title(),
                                     Issuer(n.issuer_code(), n.copy()),
                                     n.withdrawn() ? "取り下げ" : (n.public_() ? "公開" : "関係者"),
                                     n.copy() ? "" : std::to_string(n.mails_queued()), n.id()});
                            }
                            t.Print({10, 40, 12, 8, 6, 30});
                          });
    };
  });
  struct NotifyArgs {
    std::string id, title, body, body_file, jurisdiction;
    std::vector<std::string> audiences, links;
    bool is_public = false, mail_again = false;
    int64_t version = 0;
  };
  auto na = std::make_shared<NotifyArgs>();
  auto* notify = sharing->add_subcommand(
      "notify", "お知らせを出す (配信先にメールが届く) / publish a notice (mailed to subscribers)");
  notify->add_option("--title", na->title, "題名")->required();
  notify->add_option("--body", na->body, "本文");
  notify->add_option("--body-file", na->body_file, "本文のファイル (UTF-8)");
  notify->add_option("--audience", na->audiences, "対象 (繰り返し可): " + Choices(kAudiences));
  notify->add_option("--jurisdiction", na->jurisdiction, "地域 (省略時はこの団体)");
  notify
      ->add_option("--link", na->links, "リンク KIND|対象|題名 (KIND: " + Choices(kLinkKinds) + ")")
      ->check(SpecCheck(ParseLink, "KIND|TARGET|TITLE", "リンクの形式"));
  notify->add_flag("--public", na->is_public, "公開ページとフィードに載せる");
  notify->add_option("--id", na->id, "直すお知らせ (ntc_...)");
  notify->add_option("--version", na->version, "読み込んだ版 (--id と一緒に)");
  notify->add_flag("--mail-again", na->mail_again, "直したお知らせをもう一度メールで送る");
  notify->callback([=] {
    *run = [=] {
      v1::PublishNoticeRequest req;
      auto* n = req.mutable_notice();
      n->set_id(na->id);
      n->set_title(na->title);
      std::string body = na->body;
      if (!na->body_file.empty() && !ReadWholeFile(na->body_file, &body)) {
        std::fprintf(stderr, "ファイルを読めません / cannot read %s\n", na->body_file.c_str());
        return static_cast<int>(kUsage);
      }
      n->set_body(body);
      for (const auto& a : na->audiences) {
        n->add_audiences(FromWord(kAudiences, a, v1::AUDIENCE_ROLE_UNSPECIFIED));
      }
      n->set_jurisdiction_code(na->jurisdiction);
      for (const auto& l : na->links) ParseLink(l, n->add_links());
      n->set_public_(na->is_public);
      req.set_expected_version(na->version);
      req.set_mail_again(na->mail_again);
      auto stub = Stub();
      return CallAndPrint(*stub, &v1::SharingService::Stub::PublishNotice, req, PrintNotice);
    };
  });
  auto* withdraw_notice = sharing->add_subcommand("withdraw-notice", "お知らせを取り下げる");
  withdraw_notice->add_option("id", *id, "お知らせ (ntc_...)")->required();
  withdraw_notice->add_option("--version", *version, "読み込んだ版")->required();
  withdraw_notice->callback([=] {
    *run = [=] {
      v1::WithdrawNoticeRequest req;
      req.set_id(*id);
      req.set_expected_version(*version);
      auto stub = Stub();
      return CallAndPrint(*stub, &v1::SharingService::Stub::WithdrawNotice, req,
                          [](const v1::Notice& n) {
                            std::printf("お知らせ「%s」を取り下げました\n", n.title().c_str());
                          });
    };
  });

  // Subscribers.
  auto state_word = std::make_shared<std::string>();
  auto* subscribers = sharing->add_subcommand("subscribers", "お知らせメールの配信先");
  subscribers->add_option("--state", *state_word, "状態: " + Choices(kStates));
  subscribers->callback([=] {
    *run = [=] {
      v1::ListSubscribersRequest req;
      req.set_state(FromWord(kStates, *state_word, v1::SUBSCRIBER_STATE_UNSPECIFIED));
      auto stub = Stub();
      return CallAndPrint(
          *stub, &v1::SharingService::Stub::ListSubscribers, req,
          [](const v1::ListSubscribersResponse& resp) {
            Table t({"アドレス", "対象", "状態", "ID"});
            for (const auto& s : resp.subscribers()) {
              t.Add({s.email(), s.audiences().empty() ? "すべて" : AudienceText(s.audiences()),
                     LabelOf(kStates, s.state()), s.id()});
            }
            t.Print({40, 30, 10, 30});
            std::printf("\n配信中 %d 件、確認待ち %d 件\n", resp.active(), resp.pending());
          });
    };
  });
  auto email = std::make_shared<std::string>();
  auto audiences = std::make_shared<std::vector<std::string>>();
  auto* subscribe = sharing->add_subcommand(
      "subscribe", "配信先を登録する (アドレスに確認メールが届き、確認すると配信が始まる)");
  subscribe->add_option("email", *email, "メールアドレス")->required();
  subscribe->add_option("--audience", *audiences, "対象 (繰り返し可): " + Choices(kAudiences));
  subscribe->callback([=] {
    *run = [=] {
      v1::SubscribeRequest req;
      req.set_email(*email);
      for (const auto& a : *audiences) {
        req.add_audiences(FromWord(kAudiences, a, v1::AUDIENCE_ROLE_UNSPECIFIED));
      }
      auto stub = Stub();
      return CallAndPrint(
          *stub, &v1::SharingService::Stub::Subscribe, req,
          [](const v1::SubscriptionAnswer& a) { std::printf("%s\n", a.message().c_str()); });
    };
  });
  auto* remove = sharing->add_subcommand("unsubscribe", "配信先を削除する (アドレスは消去)");
  remove->add_option("id", *id, "配信先 (sub_...)")->required();
  remove->callback([=] {
    *run = [=] {
      v1::RemoveSubscriberRequest req;
      req.set_id(*id);
      auto stub = Stub();
      return CallAndPrint(*stub, &v1::SharingService::Stub::RemoveSubscriber, req,
                          [](const v1::Subscriber& s) {
                            std::printf("配信先 %s を削除しました\n", s.id().c_str());
                          });
    };
  });
}

}  // namespace renkei::cli

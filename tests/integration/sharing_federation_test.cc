// Information sharing on a local federation (the nation, Tokyo, Saitama, Inagi, Chofu, Kumagaya;
// real nats-servers with leaf links, renkei-network everywhere and renkei-training in the
// municipalities as processes) with a real SMTP server (python3-aiosmtpd): Tokyo publishes a rule
// document and a notice, both reach Inagi's library and professionals' page within seconds (and
// not Saitama's Kumagaya), a new version supersedes the first, and each confirmed subscriber in
// Tokyo's municipalities receives the notice exactly once. Then a resident registers for Inagi's
// 人生会議 workshop, and a scan of the prefecture's and the nation's disks (stores, streams, logs)
// finds none of the residents' or subscribers' personal strings (issue 20, acceptance 2 and 3).
#include <chrono>
#include <filesystem>
#include <map>

#include "federation_harness.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "harness.h"
#include "renkei/common/clock.h"
#include "renkei/common/federation.h"
#include "renkei/v1/sharing.grpc.pb.h"
#include "renkei/v1/training.grpc.pb.h"

namespace renkei::testing {
namespace {

using SharingStub = v1::SharingService::Stub;
using ::testing::HasSubstr;

constexpr char kResidentName[] = "網羅試験 住民花子";
constexpr char kResidentContact[] = "jumin-hanako@example.jp";

bool AnyFileContains(const std::string& dir, const std::string& needle) {
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    if (ReadFile(e.path().string()).find(needle) != std::string::npos) return true;
  }
  return false;
}

// The token after `marker` in a mail's text.
std::string TokenAfter(const std::string& text, const std::string& marker) {
  const size_t at = text.find(marker);
  if (at == std::string::npos) return "";
  const size_t start = at + marker.size();
  return text.substr(start, text.find_first_of("\r\n ", start) - start);
}

std::string Pdf(size_t size, char fill) {
  std::string pdf = "%PDF-1.7\n";
  pdf.resize(size, fill);
  return pdf;
}

class SharingFederationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto smtp = SmtpServer::Start(tmp_.Sub("smtp"));
    ASSERT_TRUE(smtp.ok()) << smtp.status();
    smtp_ = std::move(*smtp);
    std::map<std::string, std::string> mail;
    for (const char* id : {"p13", "m132250", "m132080", "m112020"}) mail[id] = smtp_->MailJson();
    auto fed = LocalFederation::Start(
        tmp_.path(), LocalFederation::Standard({"network", "training"}, {"network"}, {"network"}),
        mail);
    ASSERT_TRUE(fed.ok()) << fed.status();
    fed_ = std::move(*fed);
  }

  std::unique_ptr<SharingStub> Sharing(const std::string& id,
                                       v1::Role role = v1::ROLE_UNSPECIFIED) {
    auto& p = *fed_->node(id).processes;
    return v1::SharingService::NewStub(role == v1::ROLE_UNSPECIFIED
                                           ? p.channel("network")
                                           : p.channel("network", role, fed_->node(id).code));
  }

  // Subscribes `email` at `id` and confirms by the link in the confirmation mail.
  void Join(const std::string& id, const std::string& email) {
    v1::SubscribeRequest r;
    r.set_email(email);
    v1::SubscriptionAnswer answer;
    auto staff = Sharing(id);
    ASSERT_TRUE(Call(*staff, &SharingStub::Subscribe, r, &answer).ok());
    std::string token;
    ASSERT_TRUE(WaitFor(
        [&] {
          for (const auto& m : smtp_->Messages()) {
            if (m.find("To: " + email) != std::string::npos &&
                m.find("#confirm=") != std::string::npos) {
              token = TokenAfter(m, "#confirm=");
            }
          }
          return !token.empty();
        },
        std::chrono::seconds(20)))
        << "no confirmation mail for " << email;
    v1::SubscriptionTokenRequest c;
    c.set_token(token);
    auto service = Sharing(id, v1::ROLE_SERVICE);
    grpc::Status s = Call(*service, &SharingStub::ConfirmSubscription, c, &answer);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(answer.state(), v1::SUBSCRIBER_STATE_ACTIVE);
  }

  // Mails whose text has `needle`, per recipient.
  std::map<std::string, int> MailsWith(const std::string& needle) {
    std::map<std::string, int> out;
    for (const auto& m : smtp_->Messages()) {
      if (m.find(needle) == std::string::npos) continue;
      out[TokenAfter(m, "To: ")]++;
    }
    return out;
  }

  TempDir tmp_;
  std::unique_ptr<SmtpServer> smtp_;
  std::unique_ptr<LocalFederation> fed_;
};

TEST_F(SharingFederationTest, TokyosRulesAndNoticesReachItsMunicipalitiesAndTheirSubscribers) {
  Join("m132250", "cm@kyotaku.example.jp");
  Join("m132250", "renkei@hospital.example.jp");
  Join("m132080", "houmon@clinic.example.jp");
  Join("m112020", "saitama@example.jp");  // Saitama: Tokyo's notices are not for them
  v1::SubscribeRequest pending;           // never confirmed: no notice
  pending.set_email("pending@example.jp");
  v1::SubscriptionAnswer ignored;
  auto inagi_staff = Sharing("m132250");
  ASSERT_TRUE(Call(*inagi_staff, &SharingStub::Subscribe, pending, &ignored).ok());

  // Tokyo publishes its discharge rule (three pieces of file) and a notice.
  const std::string first = Pdf(size_t{600} * 1024, 'a');
  v1::PublishDocumentRequest doc;
  doc.mutable_document()->set_title("東京都入退院支援ルール");
  doc.mutable_document()->set_kind(v1::DOCUMENT_KIND_RULE);
  doc.mutable_document()->set_public_(true);
  doc.set_file_name("入退院支援ルール.pdf");
  doc.set_content(first);
  v1::SharedDocument published;
  auto tokyo = Sharing("p13");
  grpc::Status s = Call(*tokyo, &SharingStub::PublishDocument, doc, &published);
  ASSERT_TRUE(s.ok()) << s.error_message();
  v1::PublishNoticeRequest notice;
  notice.mutable_notice()->set_title("入退院支援ルールを改定しました");
  notice.mutable_notice()->set_body(
      "都の入退院支援ルールを改定しました。ルール・様式から最新版をご確認ください。");
  notice.mutable_notice()->set_public_(true);
  auto* link = notice.mutable_notice()->add_links();
  link->set_kind(v1::NOTICE_LINK_KIND_DOCUMENT);
  link->set_target(published.id());
  v1::Notice sent;
  ASSERT_TRUE(Call(*tokyo, &SharingStub::PublishNotice, notice, &sent).ok());
  const auto published_at = std::chrono::steady_clock::now();

  // Inagi's library has the document with its whole file; its page the notice.
  auto inagi = Sharing("m132250");
  v1::DocumentFile file;
  ASSERT_TRUE(WaitFor(
      [&] {
        v1::GetDocumentFileRequest r;
        r.set_document_id(published.id());
        return Call(*inagi, &SharingStub::GetDocumentFile, r, &file).ok();
      },
      std::chrono::seconds(30)));
  EXPECT_EQ(file.content(), first);
  EXPECT_EQ(file.content_type(), "application/pdf");
  v1::ProfessionalsBoard board;
  auto inagi_service = Sharing("m132250", v1::ROLE_SERVICE);
  ASSERT_TRUE(WaitFor(
      [&] {
        return Call(*inagi_service, &SharingStub::GetProfessionalsBoard, {}, &board).ok() &&
               board.notices_size() == 1 && board.documents_size() == 1;
      },
      std::chrono::seconds(30)));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - published_at).count();
  std::printf("Tokyo's document and notice on Inagi's page after %.2f s\n", seconds);
  EXPECT_LT(seconds, 10);
  EXPECT_EQ(board.notices(0).title(), "入退院支援ルールを改定しました");
  EXPECT_EQ(board.notices(0).issuer_code(), "130001");

  // One mail per confirmed subscriber in Tokyo's municipalities, none elsewhere.
  const std::string subject_words = "入退院支援ルールを改定しました";
  const std::map<std::string, int> expected = {{"cm@kyotaku.example.jp", 1},
                                               {"houmon@clinic.example.jp", 1},
                                               {"renkei@hospital.example.jp", 1}};
  ASSERT_TRUE(
      WaitFor([&] { return MailsWith("#unsubscribe=").size() >= 3; }, std::chrono::seconds(30)));
  EXPECT_EQ(MailsWith("#unsubscribe="), expected);
  // And no more can come: each municipality queued exactly its subscribers' mails, once (the
  // queue's keys are the subscriber, the notice and its version: a redelivered event queues none).
  for (const auto& [id, queued] : std::map<std::string, int>{{"m132250", 2}, {"m132080", 1}}) {
    v1::ListNoticesResponse notices;
    auto staff = Sharing(id);
    ASSERT_TRUE(Call(*staff, &SharingStub::ListNotices, {}, &notices).ok());
    ASSERT_EQ(notices.notices_size(), 1) << id;
    EXPECT_EQ(notices.notices(0).mails_queued(), queued) << id;
  }

  // Saitama's municipality has neither.
  v1::ListDocumentsResponse kumagaya_docs;
  auto kumagaya = Sharing("m112020");
  ASSERT_TRUE(Call(*kumagaya, &SharingStub::ListDocuments, {}, &kumagaya_docs).ok());
  EXPECT_EQ(kumagaya_docs.documents_size(), 0);

  // A new version supersedes the first in Inagi's library.
  v1::PublishDocumentRequest v2 = doc;
  v2.mutable_document()->set_id(published.id());
  v2.set_expected_version(published.version());
  v2.set_change_note("退院前カンファレンスの連絡期限を 3 日前に改めました");
  const std::string second = Pdf(size_t{100} * 1024, 'b');
  v2.set_content(second);
  v1::SharedDocument republished;
  ASSERT_TRUE(Call(*tokyo, &SharingStub::PublishDocument, v2, &republished).ok());
  ASSERT_TRUE(WaitFor(
      [&] {
        v1::GetDocumentRequest r;
        r.set_id(published.id());
        v1::SharedDocument copy;
        return Call(*inagi, &SharingStub::GetDocument, r, &copy).ok() &&
               copy.versions_size() == 2 && copy.versions(1).file_available();
      },
      std::chrono::seconds(30)));
  v1::GetDocumentFileRequest current;
  current.set_document_id(published.id());
  ASSERT_TRUE(Call(*inagi, &SharingStub::GetDocumentFile, current, &file).ok());
  EXPECT_EQ(file.content(), second);
  EXPECT_EQ(file.version(), 2);

  // A resident registers for Inagi's workshop (their name and contact stay in Inagi).
  auto training = v1::TrainingService::NewStub(fed_->channel("m132250", "training"));
  v1::CreateTrainingRequest create;
  auto* t = create.mutable_training();
  t->set_title("人生会議 (ACP) ワークショップ");
  t->add_audiences(v1::AUDIENCE_ROLE_RESIDENTS);
  t->set_public_event(true);
  auto* session = t->add_sessions();
  const int64_t start = common::SystemClock::Get()->NowMicros() + 7LL * 24 * 3600 * 1000000;
  *session->mutable_starts_at() = common::TimestampFromMicros(start);
  *session->mutable_ends_at() = common::TimestampFromMicros(start + 2LL * 3600 * 1000000);
  session->set_venue("稲城市地域振興プラザ");
  session->set_capacity(30);
  t->set_sessions_are_one_course(true);
  v1::Training workshop;
  s = Call(*training, &v1::TrainingService::Stub::CreateTraining, create, &workshop);
  ASSERT_TRUE(s.ok()) << s.error_message();
  auto public_training = v1::TrainingService::NewStub(
      fed_->node("m132250").processes->channel("training", v1::ROLE_SERVICE, "132250"));
  v1::RegisterForPublicEventRequest reg;
  reg.set_training_id(workshop.id());
  reg.set_name(kResidentName);
  reg.set_contact(kResidentContact);
  reg.set_party_size(2);
  v1::PublicRegistration receipt;
  s = Call(*public_training, &v1::TrainingService::Stub::RegisterForPublicEvent, reg, &receipt);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(receipt.status(), v1::REGISTRATION_STATUS_CONFIRMED);
  ASSERT_TRUE(WaitFor([&] { return !MailsWith(std::string("To: ") + kResidentContact).empty(); },
                      std::chrono::seconds(20)));
  // The registration's event reached Tokyo (its seats count there) before the scan: what the
  // scan looks at holds it.
  ASSERT_TRUE(WaitFor(
      [&] {
        return !StreamIds(*fed_->node("p13").bus, common::kChildrenStream,
                          "renkei.pref.m132250.registration.registration_confirmed")
                    .empty();
      },
      std::chrono::seconds(30)));

  // Nothing personal above the municipalities: stores, streams and logs of Tokyo and the nation.
  for (const char* id : {"p13", "national"}) {
    const std::string dir = fed_->node(id).dir;
    for (const std::string& needle :
         {std::string(kResidentName), std::string(kResidentContact),
          std::string("cm@kyotaku.example.jp"), std::string("renkei@hospital.example.jp"),
          std::string("houmon@clinic.example.jp")}) {
      EXPECT_FALSE(AnyFileContains(dir, needle)) << id << " holds " << needle;
    }
  }
  // (Inagi itself keeps them sealed at rest: not even its own store holds them in the clear.)
  EXPECT_FALSE(AnyFileContains(fed_->node("m132250").dir + "/data", kResidentContact));
}

}  // namespace
}  // namespace renkei::testing

// Information sharing on real RocksDB stores: Tokyo's documents and notices come down to Inagi
// (carried by hand as the parent's stream would, each event twice: a redelivery changes
// nothing), Inagi's subscribers confirm, receive each notice once, and leave. The mailer is a
// fake that records (the real SMTP path is tests/integration/sharing_test.cc).
#include "sharing.h"

#include <map>
#include <memory>

#include "domain_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "network_store.h"
#include "renkei/common/dates.h"
#include "testing.h"

namespace renkei::network {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

class RecordingMailer : public common::Mailer {
 public:
  absl::Status Send(const common::MailMessage& m) override {
    if (refuse) return absl::UnavailableError("refused");
    sent.push_back(m);
    return absl::OkStatus();
  }
  std::vector<common::MailMessage> sent;
  bool refuse = false;
};

// The network service's families (its outbox among them) and this module's.
std::vector<std::string> Families() {
  std::vector<std::string> cfs = NetworkStore::ColumnFamilies();
  for (auto& cf : Sharing::ColumnFamilies()) cfs.push_back(cf);
  return cfs;
}

struct Instance {
  Instance(const std::string& dir, const std::string& id, v1::InstanceLevel level,
           const std::string& code, const std::string& name, const common::Clock* clock)
      : domain(dir, Families()), mail(domain.store.get(), domain.sealer.get(), &mailer, clock) {
    SharingOptions o;
    o.level = level;
    o.jurisdiction_code = code;
    o.jurisdiction_name = name;
    o.link_origin = "https://renkei." + id + ".example.lg.jp";
    sharing =
        std::make_unique<Sharing>(domain.store.get(), domain.outbox.get(), domain.sealer.get(),
                                  common::EventSource{id, clock}, &mail, o, clock);
    EXPECT_TRUE(sharing->Load().ok());
  }
  renkei::testing::DomainStore domain;
  RecordingMailer mailer;
  common::MailQueue mail;
  std::unique_ptr<Sharing> sharing;
  size_t delivered = 0;
};

// A PDF of `size` bytes (the magic, then filler).
std::string Pdf(size_t size, char fill) {
  std::string pdf = "%PDF-1.7\n";
  pdf.resize(size, fill);
  return pdf;
}

class SharingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_.SetMicros(common::TokyoStartOfDay(common::DateFromNumber(20261207)) +
                     10LL * 3600 * 1000000);
    tokyo_ = Make("tokyo", "p13", v1::INSTANCE_LEVEL_PREFECTURE, "130001", "東京都");
    inagi_ = Make("inagi", "m132250", v1::INSTANCE_LEVEL_MUNICIPALITY, "132250", "稲城市");
    kumagaya_ = Make("kumagaya", "m112020", v1::INSTANCE_LEVEL_MUNICIPALITY, "112020", "熊谷市");
  }

  std::unique_ptr<Instance> Make(const std::string& dir, const std::string& id,
                                 v1::InstanceLevel level, const std::string& code,
                                 const std::string& name) {
    return std::make_unique<Instance>(tmp_.Sub(dir), id, level, code, name, &clock_);
  }

  void Carry(Instance& from, const std::vector<Instance*>& to) {
    const auto events = from.domain.Events();
    for (size_t i = from.delivered; i < events.size(); ++i) {
      for (Instance* target : to) {
        for (int times = 0; times < 2; ++times) {
          common::CommandBatch cmd(target->domain.store.get(), target->domain.outbox.get());
          ASSERT_TRUE(target->sharing->ApplyEvent(events[i], &cmd).ok());
          ASSERT_TRUE(cmd.Commit().ok());
        }
      }
    }
    from.delivered = events.size();
  }

  absl::StatusOr<v1::SharedDocument> PublishRule(Instance& at, const std::string& content,
                                                 const std::string& id = "", int64_t version = 0) {
    v1::PublishDocumentRequest r;
    r.mutable_document()->set_id(id);
    r.mutable_document()->set_title("東京都入退院支援ルール");
    r.mutable_document()->set_kind(v1::DOCUMENT_KIND_RULE);
    r.mutable_document()->set_public_(true);
    r.mutable_document()->add_audiences(v1::AUDIENCE_ROLE_HOSPITAL_STAFF);
    r.mutable_document()->add_audiences(v1::AUDIENCE_ROLE_CARE_MANAGERS);
    r.set_expected_version(version);
    r.set_file_name("入退院支援ルール.pdf");
    r.set_content(content);
    if (!id.empty()) r.set_change_note("退院前カンファレンスの連絡期限を 3 日前に改めました");
    *r.mutable_effective_on() = common::DateFromNumber(20270401);
    return at.sharing->PublishDocument(r);
  }

  absl::StatusOr<v1::Notice> Notify(Instance& at, const std::string& title,
                                    const std::vector<v1::AudienceRole>& audiences = {}) {
    v1::PublishNoticeRequest r;
    r.mutable_notice()->set_title(title);
    r.mutable_notice()->set_body("入退院支援ルールを改定しました。\n別添をご確認ください。");
    r.mutable_notice()->set_public_(true);
    for (auto a : audiences) r.mutable_notice()->add_audiences(a);
    return at.sharing->PublishNotice(r);
  }

  // Subscribes and confirms by the link in the confirmation mail.
  void Join(Instance& at, const std::string& email,
            const std::vector<v1::AudienceRole>& audiences) {
    v1::SubscribeRequest r;
    r.set_email(email);
    for (auto a : audiences) r.add_audiences(a);
    auto answer = at.sharing->Subscribe(r);
    ASSERT_TRUE(answer.ok()) << answer.status();
    EXPECT_EQ(answer->state(), v1::SUBSCRIBER_STATE_PENDING);
    const size_t before = at.mailer.sent.size();
    ASSERT_EQ(*at.mail.SendDue(), 1);
    ASSERT_EQ(at.mailer.sent.size(), before + 1);
    const auto& mail = at.mailer.sent.back();
    EXPECT_EQ(mail.to, email);
    const std::string token = TokenAfter(mail.body, "#confirm=");
    v1::SubscriptionTokenRequest c;
    c.set_token(token);
    auto confirmed = at.sharing->Confirm(c);
    ASSERT_TRUE(confirmed.ok()) << confirmed.status();
    EXPECT_EQ(confirmed->state(), v1::SUBSCRIBER_STATE_ACTIVE);
  }

  static std::string TokenAfter(const std::string& body, const std::string& marker) {
    const size_t at = body.find(marker);
    if (at == std::string::npos) return "";
    const size_t start = at + marker.size();
    return body.substr(start, body.find_first_of("\n ", start) - start);
  }

  renkei::testing::TempDir tmp_;
  common::FakeClock clock_;
  std::unique_ptr<Instance> tokyo_, inagi_, kumagaya_;
};

TEST_F(SharingTest, PrefectureDocumentComesDownWithItsFileAndANewVersionSupersedes) {
  const std::string first = Pdf(size_t{600} * 1024, 'a');  // three pieces
  auto doc = PublishRule(*tokyo_, first);
  ASSERT_TRUE(doc.ok()) << doc.status();
  EXPECT_EQ(doc->issuer_code(), "130001");
  EXPECT_EQ(doc->versions(0).content_type(), "application/pdf");
  EXPECT_EQ(tokyo_->domain.EventTypes(),
            (std::vector<std::string>{"document_published", "document_file_chunk",
                                      "document_file_chunk", "document_file_chunk"}));
  for (const auto& e : tokyo_->domain.Events()) {
    EXPECT_EQ(e.share_level(), v1::SHARE_LEVEL_PREFECTURE);
  }
  Carry(*tokyo_, {inagi_.get(), kumagaya_.get()});

  auto listed = inagi_->sharing->ListDocuments({});
  ASSERT_TRUE(listed.ok());
  ASSERT_THAT(listed->documents(), SizeIs(1));
  const auto& copy = listed->documents(0);
  EXPECT_TRUE(copy.copy());
  EXPECT_TRUE(copy.versions(0).file_available());
  v1::GetDocumentFileRequest get;
  get.set_document_id(doc->id());
  auto file = inagi_->sharing->GetDocumentFile(get);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->content(), first);
  EXPECT_EQ(file->file_name(), "入退院支援ルール.pdf");
  EXPECT_EQ(file->content_type(), "application/pdf");
  // Saitama's municipality is not under Tokyo.
  EXPECT_THAT(kumagaya_->sharing->ListDocuments({})->documents(), IsEmpty());

  // A second version: Inagi's library shows it as current, the first as superseded.
  const std::string second = Pdf(size_t{100} * 1024, 'b');
  auto v2 = PublishRule(*tokyo_, second, doc->id(), doc->version());
  ASSERT_TRUE(v2.ok()) << v2.status();
  Carry(*tokyo_, {inagi_.get()});
  auto changed = inagi_->sharing->GetDocument([&] {
    v1::GetDocumentRequest r;
    r.set_id(doc->id());
    return r;
  }());
  ASSERT_TRUE(changed.ok());
  ASSERT_THAT(changed->versions(), SizeIs(2));
  EXPECT_EQ(changed->versions(1).number(), 2);
  EXPECT_THAT(changed->versions(1).change_note(), HasSubstr("3 日前"));
  EXPECT_TRUE(changed->versions(1).file_available());
  EXPECT_EQ(inagi_->sharing->GetDocumentFile(get)->content(), second);
  get.set_version(1);
  EXPECT_EQ(inagi_->sharing->GetDocumentFile(get)->content(), first);

  // Inagi cannot change Tokyo's document.
  auto refused = PublishRule(*inagi_, second, doc->id(), changed->version());
  EXPECT_THAT(refused.status(), renkei::testing::StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST_F(SharingTest, AnAlteredFileIsNeverServed) {
  auto doc = PublishRule(*tokyo_, Pdf(size_t{300} * 1024, 'a'));
  ASSERT_TRUE(doc.ok());
  auto events = tokyo_->domain.Events();
  events[2].mutable_document_file_chunk()->mutable_data()->back() = 'X';
  for (const auto& e : events) {
    common::CommandBatch cmd(inagi_->domain.store.get(), inagi_->domain.outbox.get());
    ASSERT_TRUE(inagi_->sharing->ApplyEvent(e, &cmd).ok());
    ASSERT_TRUE(cmd.Commit().ok());
  }
  v1::GetDocumentFileRequest get;
  get.set_document_id(doc->id());
  EXPECT_THAT(inagi_->sharing->GetDocumentFile(get).status(),
              renkei::testing::StatusIs(absl::StatusCode::kUnavailable));
}

TEST_F(SharingTest, SubscribersReceiveEachNoticeOnceAndCanLeave) {
  Join(*inagi_, "cm@kyotaku.example.jp", {v1::AUDIENCE_ROLE_CARE_MANAGERS});
  Join(*inagi_, "renkei@hospital.example.jp", {v1::AUDIENCE_ROLE_HOSPITAL_STAFF});
  Join(*inagi_, "all@clinic.example.jp", {});
  // Pending (never confirmed): no notice.
  v1::SubscribeRequest pending;
  pending.set_email("later@example.jp");
  ASSERT_TRUE(inagi_->sharing->Subscribe(pending).ok());
  ASSERT_EQ(*inagi_->mail.SendDue(), 1);
  inagi_->mailer.sent.clear();

  auto notice = Notify(*tokyo_, "入退院支援ルール改定のお知らせ",
                       {v1::AUDIENCE_ROLE_HOSPITAL_STAFF, v1::AUDIENCE_ROLE_CARE_MANAGERS});
  ASSERT_TRUE(notice.ok()) << notice.status();
  Carry(*tokyo_, {inagi_.get()});  // twice each: one mail per subscriber all the same
  EXPECT_EQ(*inagi_->mail.SendDue(), 3);
  EXPECT_EQ(*inagi_->mail.SendDue(), 0);
  std::map<std::string, int> per_address;
  for (const auto& m : inagi_->mailer.sent) {
    ++per_address[m.to];
    EXPECT_EQ(m.subject, "【稲城市】入退院支援ルール改定のお知らせ");
    EXPECT_THAT(m.body, HasSubstr("発信: 東京都"));
    EXPECT_THAT(m.body, HasSubstr("#unsubscribe=sub_"));
  }
  EXPECT_EQ(per_address, (std::map<std::string, int>{{"all@clinic.example.jp", 1},
                                                     {"cm@kyotaku.example.jp", 1},
                                                     {"renkei@hospital.example.jp", 1}}));
  // A notice for physicians only reaches the one who asked for everything.
  inagi_->mailer.sent.clear();
  ASSERT_TRUE(Notify(*tokyo_, "在宅医向け研修", {v1::AUDIENCE_ROLE_PHYSICIANS}).ok());
  Carry(*tokyo_, {inagi_.get()});
  ASSERT_EQ(*inagi_->mail.SendDue(), 1);
  ASSERT_EQ(inagi_->mailer.sent[0].to, "all@clinic.example.jp");

  // Leaving by the link: the address is erased and receives nothing more.
  v1::SubscriptionTokenRequest leave;
  leave.set_token(TokenAfter(inagi_->mailer.sent[0].body, "#unsubscribe="));
  auto left = inagi_->sharing->Unsubscribe(leave);
  ASSERT_TRUE(left.ok()) << left.status();
  EXPECT_EQ(left->state(), v1::SUBSCRIBER_STATE_REMOVED);
  EXPECT_TRUE(inagi_->sharing->Unsubscribe(leave).ok());  // the link opened twice
  auto list = inagi_->sharing->ListSubscribers({});
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->active(), 2);
  EXPECT_EQ(list->pending(), 1);
  v1::ListSubscribersRequest removed;
  removed.set_state(v1::SUBSCRIBER_STATE_REMOVED);
  auto gone = inagi_->sharing->ListSubscribers(removed);
  ASSERT_THAT(gone->subscribers(), SizeIs(1));
  EXPECT_EQ(gone->subscribers(0).email(), "");
  inagi_->mailer.sent.clear();
  ASSERT_TRUE(Notify(*tokyo_, "お知らせ (全職種)").ok());
  Carry(*tokyo_, {inagi_.get()});
  EXPECT_EQ(*inagi_->mail.SendDue(), 2);

  // No address in any event, here or above.
  for (Instance* at : {tokyo_.get(), inagi_.get()}) {
    for (const auto& e : at->domain.Events()) {
      EXPECT_THAT(e.SerializeAsString(), Not(HasSubstr("@")));
    }
  }
}

TEST_F(SharingTest, SubscribingAgainNeitherTellsNorFloods) {
  Join(*inagi_, "cm@kyotaku.example.jp", {});
  v1::SubscribeRequest again;
  again.set_email("CM@kyotaku.example.jp ");
  auto answer = inagi_->sharing->Subscribe(again);
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(answer->state(), v1::SUBSCRIBER_STATE_PENDING);  // the page says the same
  ASSERT_EQ(*inagi_->mail.SendDue(), 1);
  EXPECT_THAT(inagi_->mailer.sent.back().subject, HasSubstr("すでに登録されています"));
  // A new address asked for twice within minutes: one confirmation mail.
  v1::SubscribeRequest fresh;
  fresh.set_email("new@example.jp");
  ASSERT_TRUE(inagi_->sharing->Subscribe(fresh).ok());
  ASSERT_TRUE(inagi_->sharing->Subscribe(fresh).ok());
  EXPECT_EQ(*inagi_->mail.SendDue(), 1);
  // A refused server keeps the mail for a retry.
  ASSERT_TRUE(Notify(*inagi_, "稲城市からのお知らせ").ok());
  inagi_->mailer.refuse = true;
  EXPECT_EQ(*inagi_->mail.SendDue(), 0);
  EXPECT_EQ(*inagi_->mail.Pending(), 1);
  inagi_->mailer.refuse = false;
  EXPECT_EQ(*inagi_->mail.SendDue(), 0);  // not due yet
  clock_.AdvanceMicros(61LL * 1000 * 1000);
  EXPECT_EQ(*inagi_->mail.SendDue(), 1);
  EXPECT_EQ(*inagi_->mail.Pending(), 0);
}

TEST_F(SharingTest, BadInputIsNamedAndStoresNothing) {
  v1::PublishDocumentRequest r;
  r.mutable_document()->set_title("情報共有シート");
  r.mutable_document()->set_kind(v1::DOCUMENT_KIND_FORM);
  r.set_file_name("情報共有シート.xlsx");
  r.set_content(Pdf(1000, 'a'));  // a PDF named .xlsx
  EXPECT_THAT(inagi_->sharing->PublishDocument(r).status(),
              renkei::testing::HasViolation("content"));
  r.set_file_name("../etc/passwd.pdf");
  EXPECT_THAT(inagi_->sharing->PublishDocument(r).status(),
              renkei::testing::HasViolation("file_name"));
  r.set_file_name("sheet.exe");
  EXPECT_THAT(inagi_->sharing->PublishDocument(r).status(),
              renkei::testing::HasViolation("file_name"));
  r.set_file_name("big.pdf");
  r.set_content(Pdf(kMaxDocumentBytes + 1, 'a'));
  EXPECT_THAT(inagi_->sharing->PublishDocument(r).status(),
              renkei::testing::HasViolation("content"));
  r.set_content(Pdf(1000, 'a'));
  r.mutable_document()->set_title("");
  EXPECT_THAT(inagi_->sharing->PublishDocument(r).status(),
              renkei::testing::HasViolation("document.title"));
  EXPECT_THAT(inagi_->sharing->ListDocuments({})->documents(), IsEmpty());

  v1::PublishNoticeRequest n;
  n.mutable_notice()->set_title("お知らせ");
  n.mutable_notice()->set_body("本文");
  n.mutable_notice()->set_jurisdiction_code("132080");  // Chofu, not Inagi's
  EXPECT_THAT(inagi_->sharing->PublishNotice(n).status(),
              renkei::testing::HasViolation("notice.jurisdiction_code"));
  n.mutable_notice()->clear_jurisdiction_code();
  auto* link = n.mutable_notice()->add_links();
  link->set_kind(v1::NOTICE_LINK_KIND_WEB);
  link->set_target("javascript:alert(1)");
  EXPECT_THAT(inagi_->sharing->PublishNotice(n).status(),
              renkei::testing::HasViolation("notice.links[0].target"));
  EXPECT_THAT(inagi_->sharing->ListNotices({})->notices(), IsEmpty());

  v1::SubscribeRequest s;
  s.set_email("not an address");
  EXPECT_THAT(inagi_->sharing->Subscribe(s).status(), renkei::testing::HasViolation("email"));
  v1::SubscriptionTokenRequest t;
  t.set_token("sub_x");
  EXPECT_THAT(inagi_->sharing->Confirm(t).status(), renkei::testing::HasViolation("token"));
  t.set_token(common::DeterministicId("sub", "x") + ".AAAAAAAAAAAAAAAAAAAAAA");
  EXPECT_THAT(inagi_->sharing->Confirm(t).status(),
              renkei::testing::StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_EQ(*inagi_->mail.Pending(), 0);
  EXPECT_EQ(inagi_->domain.EventCount(), 0u);
}

TEST_F(SharingTest, TheProfessionalsPageAndFeedShowPublicNoticesOnly) {
  ASSERT_TRUE(Notify(*tokyo_, "都の研修 <案内> & 募集").ok());
  v1::PublishNoticeRequest internal;
  internal.mutable_notice()->set_title("内部向け");
  internal.mutable_notice()->set_body("職員のみ");
  ASSERT_TRUE(inagi_->sharing->PublishNotice(internal).ok());
  Carry(*tokyo_, {inagi_.get()});
  auto board = inagi_->sharing->Board();
  ASSERT_TRUE(board.ok());
  EXPECT_EQ(board->jurisdiction_name(), "稲城市");
  ASSERT_THAT(board->notices(), SizeIs(1));
  EXPECT_EQ(board->notices(0).title(), "都の研修 <案内> & 募集");
  v1::RenderNoticeFeedRequest f;
  f.set_feed_url("https://renkei.example.lg.jp/public/v1/notices.atom");
  f.set_page_url("https://renkei.example.lg.jp/board/");
  auto feed = inagi_->sharing->Feed(f);
  ASSERT_TRUE(feed.ok());
  EXPECT_EQ(feed->entries(), 1);
  EXPECT_THAT(feed->content(), HasSubstr("<title>都の研修 &lt;案内&gt; &amp; 募集</title>"));
  EXPECT_THAT(feed->content(), HasSubstr("<author><name>東京都</name></author>"));
  EXPECT_THAT(feed->content(), Not(HasSubstr("内部向け")));
}

}  // namespace
}  // namespace renkei::network

// Events for residents on a real RocksDB store: a 人生会議 workshop published as a public event,
// residents registering with their families, the waitlist promoted by a cancellation link, the
// mails queued for each step (a recording mailer: the SMTP path is the browser test's), the
// awareness questionnaire and what the indicators derive from it, and the retention of the
// residents' names and contacts.
#include <algorithm>
#include <map>

#include "domain_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "renkei/common/dates.h"
#include "renkei/common/event_counts.h"
#include "renkei/common/ids.h"
#include "testing.h"
#include "training.h"

namespace renkei::training {
namespace {

using renkei::testing::HasViolation;
using renkei::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;

constexpr int64_t kHour = 3600LL * 1000000;
constexpr int64_t kDay = 24 * kHour;

int64_t Dec(int day, int hour) {
  return common::TokyoStartOfDay(common::DateFromNumber(20261200 + day)) + hour * kHour;
}

class RecordingMailer : public common::Mailer {
 public:
  absl::Status Send(const common::MailMessage& m) override {
    sent.push_back(m);
    return absl::OkStatus();
  }
  std::vector<common::MailMessage> sent;
};

std::string TokenIn(const std::string& body) {
  const std::string marker = "#cancel=";
  const size_t at = body.find(marker);
  if (at == std::string::npos) return "";
  const size_t start = at + marker.size();
  return body.substr(start, body.find('\n', start) - start);
}

class PublicEventTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_.SetMicros(Dec(1, 10));
    domain_ = std::make_unique<renkei::testing::DomainStore>(tmp_.Sub("inagi"),
                                                             TrainingStore::ColumnFamilies());
    mail_ = std::make_unique<common::MailQueue>(domain_->store.get(), domain_->sealer.get(),
                                                &mailer_, &clock_);
    TrainingOptions o;
    o.level = v1::INSTANCE_LEVEL_MUNICIPALITY;
    o.jurisdiction_code = "132250";
    o.jurisdiction_name = "稲城市";
    o.link_origin = "https://renkei.inagi.example.lg.jp";
    o.mail = mail_.get();
    trainings_ = std::make_unique<Trainings>(domain_->store.get(), domain_->outbox.get(),
                                             domain_->sealer.get(),
                                             common::EventSource{"m132250", &clock_}, o, &clock_);
    ASSERT_TRUE(trainings_->Load().ok());
  }

  v1::Training Workshop(int capacity) {
    v1::CreateTrainingRequest r;
    auto* t = r.mutable_training();
    t->set_title("人生会議 (ACP) ワークショップ");
    t->set_description("もしものときの医療やケアについて、家族と話し合ってみませんか。");
    t->add_audiences(v1::AUDIENCE_ROLE_RESIDENTS);
    t->set_public_event(true);
    t->add_theme_tags("ACP");
    t->add_theme_tags("看取り");
    auto* s = t->add_sessions();
    *s->mutable_starts_at() = common::TimestampFromMicros(Dec(12, 14));
    *s->mutable_ends_at() = common::TimestampFromMicros(Dec(12, 16));
    s->set_venue("稲城市地域振興プラザ");
    s->set_capacity(capacity);
    auto* lecturer = s->add_lecturers();
    lecturer->set_name("講師 太郎");
    lecturer->set_affiliation("稲城市立病院");
    auto* q = t->add_awareness_items();
    q->set_id("acp_known");
    q->set_statement("人生会議 (ACP) を知っている");
    auto* q2 = t->add_awareness_items();
    q2->set_id("talked_with_family");
    q2->set_statement("もしものときのことを家族と話したことがある");
    t->set_sessions_are_one_course(true);
    auto created = trainings_->CreateTraining(r);
    EXPECT_TRUE(created.ok()) << created.status();
    return created.ok() ? *created : v1::Training();
  }

  absl::StatusOr<v1::PublicRegistration> Resident(const v1::Training& t, const std::string& name,
                                                  const std::string& contact, int party) {
    v1::RegisterForPublicEventRequest r;
    r.set_training_id(t.id());
    r.set_name(name);
    r.set_contact(contact);
    r.set_party_size(party);
    return trainings_->RegisterForPublicEvent(r);
  }

  // The mails the queue sends now.
  std::vector<common::MailMessage> Sent() {
    mailer_.sent.clear();
    EXPECT_TRUE(mail_->SendDue().ok());
    return mailer_.sent;
  }

  renkei::testing::TempDir tmp_;
  common::FakeClock clock_;
  RecordingMailer mailer_;
  std::unique_ptr<renkei::testing::DomainStore> domain_;
  std::unique_ptr<common::MailQueue> mail_;
  std::unique_ptr<Trainings> trainings_;
};

TEST_F(PublicEventTest, ResidentsRegisterWaitAndArePromotedByACancellationLink) {
  const v1::Training t = Workshop(3);
  auto listed = trainings_->ListPublicEvents({});
  ASSERT_TRUE(listed.ok());
  ASSERT_THAT(listed->events(), SizeIs(1));
  EXPECT_EQ(listed->events(0).organizer_name(), "稲城市");
  EXPECT_EQ(listed->events(0).sessions(0).seats_left(), 3);
  EXPECT_TRUE(listed->events(0).registration_open());

  // A family of two, then a couple: only one seat is left, so they wait.
  auto yamada = Resident(t, "山田 花子", "hanako@example.jp", 2);
  ASSERT_TRUE(yamada.ok()) << yamada.status();
  EXPECT_EQ(yamada->status(), v1::REGISTRATION_STATUS_CONFIRMED);
  EXPECT_TRUE(yamada->mail_queued());
  EXPECT_THAT(yamada->token(), HasSubstr(yamada->registration_id() + "."));
  auto suzuki = Resident(t, "鈴木 一郎", "ichiro@example.jp", 2);
  ASSERT_TRUE(suzuki.ok()) << suzuki.status();
  EXPECT_EQ(suzuki->status(), v1::REGISTRATION_STATUS_WAITLISTED);
  EXPECT_EQ(suzuki->waitlist_position(), 1);
  // By phone: registered, nothing mailed (the page shows the link).
  auto sato = Resident(t, "佐藤 次郎", "042-378-2111", 1);
  ASSERT_TRUE(sato.ok()) << sato.status();
  EXPECT_EQ(sato->status(), v1::REGISTRATION_STATUS_CONFIRMED);
  EXPECT_FALSE(sato->mail_queued());

  // (The queue sends in key order: registration ids, random within a millisecond.)
  std::map<std::string, common::MailMessage> to;
  for (const auto& m : Sent()) to[m.to] = m;
  ASSERT_THAT(to, SizeIs(2));
  const common::MailMessage& first = to["hanako@example.jp"];
  EXPECT_EQ(first.subject, "【稲城市】人生会議 (ACP) ワークショップ お申し込みを受け付けました");
  EXPECT_THAT(first.body, HasSubstr("山田 花子 様"));
  EXPECT_THAT(first.body, HasSubstr("人数: 2 名"));
  EXPECT_THAT(first.body, HasSubstr("稲城市地域振興プラザ"));
  EXPECT_THAT(to["ichiro@example.jp"].body, HasSubstr("キャンセル待ち (1 番目)"));

  // The family cancels by the link in their mail: the couple is promoted and told.
  v1::PublicRegistrationTokenRequest cancel;
  cancel.set_token(TokenIn(first.body));
  ASSERT_EQ(cancel.token(), yamada->token());
  auto cancelled = trainings_->CancelPublicRegistration(cancel);
  ASSERT_TRUE(cancelled.ok()) << cancelled.status();
  EXPECT_EQ(cancelled->status(), v1::REGISTRATION_STATUS_CANCELLED);
  EXPECT_TRUE(trainings_->CancelPublicRegistration(cancel).ok());  // the link opened twice
  auto mails = Sent();
  ASSERT_THAT(mails, SizeIs(2));
  std::map<std::string, std::string> subjects;
  for (const auto& m : mails) subjects[m.to] = m.subject;
  EXPECT_THAT(subjects["ichiro@example.jp"], HasSubstr("参加が確定しました"));
  EXPECT_THAT(subjects["hanako@example.jp"], HasSubstr("お申し込みを取り消しました"));
  v1::GetPublicRegistrationRequest look;
  look.set_token(suzuki->token());
  auto promoted = trainings_->GetPublicRegistration(look);
  ASSERT_TRUE(promoted.ok());
  EXPECT_EQ(promoted->status(), v1::REGISTRATION_STATUS_CONFIRMED);
  EXPECT_EQ(promoted->event().sessions(0).seats_left(), 0);

  // Nothing a resident typed is in an event; the calendar names no lecturer.
  for (const auto& e : domain_->Events()) {
    const std::string bytes = e.SerializeAsString();
    for (const char* personal : {"山田", "鈴木", "佐藤", "hanako", "ichiro", "042-378", "講師"}) {
      EXPECT_THAT(bytes, Not(HasSubstr(personal))) << e.DebugString();
    }
  }
  auto calendar = trainings_->ExportPublicCalendar();
  ASSERT_TRUE(calendar.ok());
  EXPECT_EQ(calendar->event_count(), 1);
  EXPECT_THAT(calendar->content(), HasSubstr("SUMMARY:人生会議 (ACP) ワークショップ"));
  EXPECT_THAT(calendar->content(), Not(HasSubstr("講師")));
}

TEST_F(PublicEventTest, AttendanceAndTheQuestionnaireFeedTheIndicators) {
  const v1::Training t = Workshop(10);
  auto a = Resident(t, "山田 花子", "hanako@example.jp", 2);
  auto b = Resident(t, "鈴木 一郎", "ichiro@example.jp", 1);
  ASSERT_TRUE(a.ok() && b.ok());
  auto sheet = [&](v1::AwarenessPhase phase, int acp, int family) {
    v1::SubmitAwarenessAnswersRequest r;
    r.set_training_id(t.id());
    r.set_phase(phase);
    auto* x = r.add_answers();
    x->set_item_id("acp_known");
    x->set_likert(acp);
    auto* y = r.add_answers();
    y->set_item_id("talked_with_family");
    y->set_likert(family);
    auto out = trainings_->SubmitAwarenessAnswers(r);
    EXPECT_TRUE(out.ok()) << out.status();
  };
  sheet(v1::AWARENESS_PHASE_BEFORE, 2, 1);
  sheet(v1::AWARENESS_PHASE_BEFORE, 4, 2);
  clock_.SetMicros(Dec(12, 16));
  v1::RecordAttendanceRequest att;
  att.set_training_id(t.id());
  att.set_session_id(t.sessions(0).id());
  auto* e1 = att.add_entries();
  e1->set_registration_id(a->registration_id());
  e1->set_attended(true);
  auto* e2 = att.add_entries();
  e2->set_registration_id(b->registration_id());
  e2->set_attended(false);
  ASSERT_TRUE(trainings_->RecordAttendance(att).ok());
  sheet(v1::AWARENESS_PHASE_AFTER, 5, 4);
  sheet(v1::AWARENESS_PHASE_AFTER, 4, 2);

  auto results = trainings_->GetAwarenessResults([&] {
    v1::GetAwarenessResultsRequest r;
    r.set_training_id(t.id());
    return r;
  }());
  ASSERT_TRUE(results.ok()) << results.status();
  EXPECT_EQ(results->before_sheets(), 2);
  EXPECT_EQ(results->after_sheets(), 2);
  EXPECT_EQ(results->sessions_held(), 1);
  EXPECT_EQ(results->participants(), 2);  // the family of two came, the other did not
  ASSERT_THAT(results->items(), SizeIs(2));
  EXPECT_DOUBLE_EQ(results->items(0).before_agree(), 0.5);
  EXPECT_DOUBLE_EQ(results->items(0).after_agree(), 1.0);
  EXPECT_DOUBLE_EQ(results->items(0).change(), 0.5);
  EXPECT_DOUBLE_EQ(results->items(0).after().mean(), 4.5);

  // What the indicators service adds up from these events (a pure function of each event).
  std::map<std::string, std::pair<double, double>> figures;  // code -> (value or numerator, n)
  for (const auto& e : domain_->Events()) {
    for (const auto& inc : common::IncrementsOf(e)) {
      EXPECT_EQ(inc.jurisdiction, "132250") << inc.code;
      auto& f = figures[inc.code];
      f.first += inc.value + inc.numerator;
      f.second += inc.denominator;
    }
  }
  EXPECT_EQ(figures["derived.resident_events_held"].first, 1);
  EXPECT_EQ(figures["derived.resident_participants"].first, 2);
  EXPECT_EQ(figures["derived.awareness.acp_known.before"], std::make_pair(1.0, 2.0));
  EXPECT_EQ(figures["derived.awareness.acp_known.after"], std::make_pair(2.0, 2.0));
  EXPECT_EQ(figures["derived.awareness.talked_with_family.after"], std::make_pair(1.0, 2.0));

  // A correction: the second resident did come after all.
  e2->set_attended(true);
  att.mutable_entries()->DeleteSubrange(0, 1);
  ASSERT_TRUE(trainings_->RecordAttendance(att).ok());
  const auto last = domain_->Events().back();
  ASSERT_TRUE(last.has_attendance_recorded());
  ASSERT_THAT(common::IncrementsOf(last), SizeIs(2));
  EXPECT_EQ(common::IncrementsOf(last)[1].code, "derived.resident_participants");
  EXPECT_EQ(common::IncrementsOf(last)[1].value, 1);
  const auto types = domain_->EventTypes();
  EXPECT_EQ(std::count(types.begin(), types.end(), "session_held"), 1);  // held once
}

TEST_F(PublicEventTest, ResidentsNamesAndContactsAreErasedAfterTheEvent) {
  const v1::Training t = Workshop(10);
  auto a = Resident(t, "山田 花子", "hanako@example.jp", 1);
  ASSERT_TRUE(a.ok());
  clock_.SetMicros(Dec(12, 16) + 29 * kDay);
  EXPECT_EQ(*trainings_->EraseResidentData(), 0);
  clock_.SetMicros(Dec(12, 16) + 31 * kDay);
  EXPECT_EQ(*trainings_->EraseResidentData(), 1);
  EXPECT_EQ(*trainings_->EraseResidentData(), 0);
  v1::GetRegistrationRequest get;
  get.set_id(a->registration_id());
  auto reg = trainings_->GetRegistration(get);
  ASSERT_TRUE(reg.ok());
  EXPECT_TRUE(reg->personal_erased());
  EXPECT_EQ(reg->participant_name(), "");
  EXPECT_EQ(reg->participant_contact(), "");
  EXPECT_EQ(reg->party_size(), 1);
}

TEST_F(PublicEventTest, BadInputIsNamedAndStoresNothing) {
  const v1::Training t = Workshop(10);
  const size_t events = domain_->EventCount();
  EXPECT_THAT(Resident(t, "", "hanako@example.jp", 1).status(), HasViolation("name"));
  EXPECT_THAT(Resident(t, "山田", "hanako at example", 1).status(), HasViolation("contact"));
  EXPECT_THAT(Resident(t, "山田", "hanako@example.jp", 11).status(), HasViolation("party_size"));

  v1::Training other = t;
  other.set_id(common::NewId("trn", clock_));
  EXPECT_THAT(Resident(other, "山田", "hanako@example.jp", 1).status(),
              StatusIs(absl::StatusCode::kNotFound));
  v1::GetPublicRegistrationRequest look;
  look.set_token("reg_x.y");
  EXPECT_THAT(trainings_->GetPublicRegistration(look).status(), HasViolation("token"));
  v1::PublicRegistrationTokenRequest token;
  token.set_token(std::string(other.id()).replace(0, 3, "reg") + ".AAAAAAAAAAAAAAAAAAAAAA");
  EXPECT_THAT(trainings_->CancelPublicRegistration(token).status(),
              StatusIs(absl::StatusCode::kUnauthenticated));
  v1::SubmitAwarenessAnswersRequest sheet;
  sheet.set_training_id(t.id());
  sheet.set_phase(v1::AWARENESS_PHASE_BEFORE);
  auto* x = sheet.add_answers();
  x->set_item_id("acp_known");
  x->set_likert(6);
  EXPECT_THAT(trainings_->SubmitAwarenessAnswers(sheet).status(),
              HasViolation("answers[0].likert"));
  x->set_likert(3);
  x->set_item_id("unknown");
  EXPECT_THAT(trainings_->SubmitAwarenessAnswers(sheet).status(),
              HasViolation("answers[0].item_id"));
  EXPECT_EQ(domain_->EventCount(), events);
  EXPECT_EQ(*mail_->Pending(), 0);
  // After the deadline (the session's start).
  clock_.SetMicros(Dec(12, 14));
  EXPECT_THAT(Resident(t, "山田", "hanako@example.jp", 1).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  // A public event must be for residents.
  v1::CreateTrainingRequest r;
  *r.mutable_training() = t;
  r.mutable_training()->clear_id();
  r.mutable_training()->clear_audiences();
  r.mutable_training()->add_audiences(v1::AUDIENCE_ROLE_CARE_MANAGERS);
  EXPECT_THAT(trainings_->CreateTraining(r).status(), HasViolation("training.public_event"));
}

TEST_F(PublicEventTest, APartyLargerThanTheRoomIsRefusedNotLeftWaiting) {
  const v1::Training small = Workshop(2);
  EXPECT_THAT(Resident(small, "山田", "hanako@example.jp", 3).status(), HasViolation("party_size"));
  EXPECT_EQ(Resident(small, "山田", "hanako@example.jp", 2)->status(),
            v1::REGISTRATION_STATUS_CONFIRMED);
}

}  // namespace
}  // namespace renkei::training

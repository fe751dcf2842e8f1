#include "training.h"

#include "absl/strings/str_cat.h"
#include "domain_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "renkei/common/dates.h"
#include "renkei/common/validation.h"
#include "testing.h"

namespace renkei::training {
namespace {

using renkei::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::ViolatedFields;

constexpr int64_t kHour = 3600LL * 1000000;
constexpr int64_t kDay = 24 * kHour;

std::string Descriptions(const absl::Status& s) {
  std::string out;
  for (const auto& [field, d] : common::FieldViolationsOf(s)) {
    absl::StrAppend(&out, field, ": ", d, "\n");
  }
  return out;
}

// 2026-12-05 (Tokyo) at `hour`:00.
int64_t Dec(int day, int hour) {
  return common::TokyoStartOfDay(common::DateFromNumber(20261200 + day)) + hour * kHour;
}

// The training domain of one instance over its store.
struct Instance : renkei::testing::DomainStore {
  Instance(const std::string& dir, v1::InstanceLevel level, const std::string& code,
           common::Clock* clock)
      : DomainStore(dir, TrainingStore::ColumnFamilies()) {
    TrainingOptions options;
    options.level = level;
    options.jurisdiction_code = code;
    trainings = std::make_unique<Trainings>(store.get(), outbox.get(), sealer.get(),
                                            common::EventSource{"p13", clock}, options, clock);
    EXPECT_TRUE(trainings->Load().ok());
  }
  std::unique_ptr<Trainings> trainings;
};

v1::Session MakeSession(int64_t start, int64_t end, const std::string& venue, int capacity,
                        const std::string& lecturer = "") {
  v1::Session s;
  *s.mutable_starts_at() = common::TimestampFromMicros(start);
  *s.mutable_ends_at() = common::TimestampFromMicros(end);
  s.set_venue(venue);
  s.set_capacity(capacity);
  if (!lecturer.empty()) {
    auto* l = s.add_lecturers();
    l->set_name(lecturer);
    l->set_affiliation("稲城市立病院");
  }
  return s;
}

v1::Training MakeTraining(const std::string& title, std::vector<v1::Session> sessions) {
  v1::Training t;
  t.set_title(title);
  t.add_audiences(v1::AUDIENCE_ROLE_COORDINATORS);
  t.add_audiences(v1::AUDIENCE_ROLE_CARE_MANAGERS);
  auto* skill = t.add_target_skills();
  skill->set_skill_code("explain_dying_process");
  skill->set_level(v1::SKILL_LEVEL_PRACTITIONER);
  for (auto& s : sessions) *t.add_sessions() = std::move(s);
  t.set_sessions_are_one_course(true);
  auto* q1 = t.add_survey_items();
  q1->set_id("q1");
  q1->set_kind(v1::SURVEY_ITEM_KIND_LIKERT);
  q1->set_question("看取りの過程を説明する自信がついた");
  q1->set_skill_code("explain_dying_process");
  q1->set_required(true);
  auto* q2 = t.add_survey_items();
  q2->set_id("q2");
  q2->set_kind(v1::SURVEY_ITEM_KIND_FREE_TEXT);
  q2->set_question("感想");
  return t;
}

class TrainingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_.SetMicros(Dec(1, 10) - 7 * kDay);  // 2026-11-24 10:00
    tokyo_ = std::make_unique<Instance>(tmp_.Sub("p13"), v1::INSTANCE_LEVEL_PREFECTURE, "130001",
                                        &clock_);
  }
  Trainings& trainings() { return *tokyo_->trainings; }

  v1::Training Create(v1::Training t) {
    v1::CreateTrainingRequest r;
    *r.mutable_training() = std::move(t);
    auto created = trainings().CreateTraining(r);
    EXPECT_TRUE(created.ok()) << created.status() << Descriptions(created.status());
    return created.ok() ? *created : v1::Training();
  }

  absl::StatusOr<v1::Registration> Register(const v1::Training& t, const std::string& participant,
                                            const std::string& municipality = "132250",
                                            const std::vector<std::string>& sessions = {}) {
    v1::RegisterRequest r;
    auto* reg = r.mutable_registration();
    reg->set_training_id(t.id());
    reg->set_participant_id(participant);
    reg->set_participant_name("参加者 " + participant);
    reg->set_participant_contact(participant + "@example.jp");
    reg->set_municipality_code(municipality);
    reg->set_role(v1::AUDIENCE_ROLE_COORDINATORS);
    for (auto& s : sessions) reg->add_session_ids(s);
    return trainings().Register(r);
  }

  common::FakeClock clock_;
  renkei::testing::TempDir tmp_;
  std::unique_ptr<Instance> tokyo_;
};

TEST_F(TrainingTest, CreateSetsOrganizerFromTheInstanceAndPublishesTrainingScheduled) {
  auto t = Create(MakeTraining("看取りの過程を家族に説明する",
                               {MakeSession(Dec(12, 14), Dec(12, 16), "都庁第一会議室", 20),
                                MakeSession(Dec(5, 14), Dec(5, 16), "都庁第一会議室", 20)}));
  EXPECT_EQ(t.organizer_level(), v1::ORGANIZER_LEVEL_PREFECTURE);
  EXPECT_EQ(t.organizer_code(), "130001");
  EXPECT_EQ(t.share_level(), v1::SHARE_LEVEL_PREFECTURE);
  EXPECT_EQ(t.skill_framework_version(), 1);
  ASSERT_EQ(t.sessions_size(), 2);
  // Sorted by start.
  EXPECT_LT(t.sessions(0).starts_at().seconds(), t.sessions(1).starts_at().seconds());
  EXPECT_THAT(tokyo_->EventTypes(), ElementsAre("training_scheduled"));
  const auto e = tokyo_->Events()[0];
  EXPECT_EQ(e.share_level(), v1::SHARE_LEVEL_PREFECTURE);
  EXPECT_EQ(e.training_scheduled().sessions_size(), 2);
}

TEST_F(TrainingTest, DoubleBookedVenueOrLecturerIsRejectedNamingTheConflictAndWritesNothing) {
  auto first = Create(MakeTraining(
      "先に入った研修", {MakeSession(Dec(5, 14), Dec(5, 16), "都庁 第一会議室", 20, "山田 花子")}));
  const auto events_before = tokyo_->Events().size();
  // Same room (written with full-width space), overlapping by an hour.
  v1::CreateTrainingRequest r;
  *r.mutable_training() = MakeTraining(
      "後から", {MakeSession(Dec(6, 14), Dec(6, 16), "会議室B", 10),
                 MakeSession(Dec(5, 15), Dec(5, 17), "都庁　第一会議室", 10, "山田花子")});
  auto s = trainings().CreateTraining(r);
  EXPECT_THAT(s.status(), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ViolatedFields(s.status()),
              ElementsAre("training.sessions[1].venue", "training.sessions[1].lecturers[0].name"));
  EXPECT_THAT(Descriptions(s.status()), HasSubstr(first.sessions(0).id()));
  EXPECT_THAT(Descriptions(s.status()), HasSubstr("先に入った研修"));
  EXPECT_THAT(Descriptions(s.status()), HasSubstr("2026/12/05 14:00–16:00"));
  EXPECT_EQ(tokyo_->Events().size(), events_before);
  v1::ListTrainingsRequest list;
  EXPECT_EQ(trainings().ListTrainings(list)->total(), 1);

  // Back to back is fine; two sessions of one request at the same place and time are not.
  Create(MakeTraining("直後", {MakeSession(Dec(5, 16), Dec(5, 18), "都庁第一会議室", 10)}));
  *r.mutable_training() =
      MakeTraining("自分同士", {MakeSession(Dec(7, 9), Dec(7, 12), "会議室C", 10, "鈴木"),
                                MakeSession(Dec(7, 11), Dec(7, 13), "会議室D", 10, "鈴木")});
  EXPECT_THAT(ViolatedFields(trainings().CreateTraining(r).status()),
              ElementsAre("training.sessions[1].lecturers[0].name"));
}

TEST_F(TrainingTest, BadContentNamesEachField) {
  v1::CreateTrainingRequest r;
  auto t = MakeTraining("", {MakeSession(Dec(5, 16), Dec(5, 14), "会議室", 0)});
  t.mutable_target_skills(0)->set_skill_code("no_such_skill");
  auto* level = t.add_target_skills();
  level->set_skill_code("peer_support");
  level->set_level(static_cast<v1::SkillLevel>(9));
  t.add_audiences(v1::AUDIENCE_ROLE_UNSPECIFIED);
  *r.mutable_training() = t;
  auto s = trainings().CreateTraining(r);
  EXPECT_THAT(ViolatedFields(s.status()),
              ElementsAre("training.title", "training.audiences[2]",
                          "training.target_skills[0].skill_code", "training.target_skills[1].level",
                          "training.sessions[0].ends_at", "training.sessions[0].capacity"));
  EXPECT_THAT(tokyo_->Events(), IsEmpty());

  t = MakeTraining("締切が遅い", {MakeSession(Dec(5, 14), Dec(5, 16), "会議室", 10)});
  *t.mutable_registration_deadline() = common::TimestampFromMicros(Dec(5, 15));
  *r.mutable_training() = t;
  EXPECT_THAT(ViolatedFields(trainings().CreateTraining(r).status()),
              ElementsAre("training.registration_deadline"));
  EXPECT_THAT(tokyo_->Events(), IsEmpty());
}

TEST_F(TrainingTest, CapacityWaitlistAndPromotionInLineOrder) {
  auto t = Create(MakeTraining("定員2", {MakeSession(Dec(5, 14), Dec(5, 16), "会議室", 2)}));
  std::vector<v1::Registration> regs;
  for (const char* p : {"a", "b", "c", "d"}) regs.push_back(*Register(t, p));
  EXPECT_EQ(regs[0].status(), v1::REGISTRATION_STATUS_CONFIRMED);
  EXPECT_EQ(regs[1].status(), v1::REGISTRATION_STATUS_CONFIRMED);
  EXPECT_EQ(regs[2].status(), v1::REGISTRATION_STATUS_WAITLISTED);
  EXPECT_EQ(regs[2].waitlist_position(), 1);
  EXPECT_EQ(regs[3].waitlist_position(), 2);
  EXPECT_THAT(Register(t, "a").status(), StatusIs(absl::StatusCode::kAlreadyExists));

  v1::CancelRegistrationRequest cancel;
  cancel.set_id(regs[0].id());
  EXPECT_EQ(trainings().CancelRegistration(cancel)->status(), v1::REGISTRATION_STATUS_CANCELLED);
  v1::GetRegistrationRequest get;
  get.set_id(regs[2].id());
  EXPECT_EQ(trainings().GetRegistration(get)->status(), v1::REGISTRATION_STATUS_CONFIRMED);
  get.set_id(regs[3].id());
  EXPECT_EQ(trainings().GetRegistration(get)->waitlist_position(), 1);
  EXPECT_THAT(tokyo_->EventTypes(),
              ElementsAre("training_scheduled", "registration_confirmed", "registration_confirmed",
                          "registration_waitlisted", "registration_waitlisted",
                          "registration_cancelled", "registration_confirmed"));
  EXPECT_TRUE(tokyo_->Events().back().registration_confirmed().promoted_from_waitlist());
  // Cancelling twice changes nothing.
  EXPECT_TRUE(trainings().CancelRegistration(cancel).ok());
  EXPECT_EQ(tokyo_->Events().size(), 7u);
  // The participant who cancelled may register again (at the end of the line).
  EXPECT_EQ(Register(t, "a")->waitlist_position(), 2);

  // A larger capacity lets the line in.
  v1::GetTrainingRequest gt;
  gt.set_id(t.id());
  auto current = *trainings().GetTraining(gt);
  EXPECT_EQ(current.sessions(0).confirmed(), 2);
  EXPECT_EQ(current.sessions(0).waitlisted(), 2);
  v1::UpdateSessionRequest us;
  us.set_training_id(t.id());
  us.set_expected_version(current.version());
  *us.mutable_session() = current.sessions(0);
  us.mutable_session()->set_capacity(1);
  EXPECT_THAT(ViolatedFields(trainings().UpdateSession(us).status()),
              ElementsAre("session.capacity"));
  us.mutable_session()->set_capacity(4);
  auto updated = trainings().UpdateSession(us);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->sessions(0).confirmed(), 4);
  EXPECT_EQ(updated->sessions(0).waitlisted(), 0);
}

// A training whose first start moves (its only session an hour earlier, a session added before
// it) takes its new place in the list, once: the list index is rebuilt around it, never written
// past its end (the console's session editor crashed the service this way; ASan sees it too).
TEST_F(TrainingTest, MovingTheFirstStartReordersTheListOnce) {
  auto early =
      Create(MakeTraining("早い研修", {MakeSession(Dec(5, 10), Dec(5, 11), "会議室A", 10)}));
  auto late =
      Create(MakeTraining("遅い研修", {MakeSession(Dec(5, 14), Dec(5, 16), "会議室B", 10)}));
  auto titles = [&] {
    std::vector<std::string> out;
    auto listed = trainings().ListTrainings({});
    EXPECT_TRUE(listed.ok()) << listed.status();
    if (listed.ok()) {
      for (const auto& s : listed->trainings()) out.push_back(s.title());
    }
    return out;
  };
  ASSERT_THAT(titles(), ElementsAre("早い研修", "遅い研修"));
  v1::GetTrainingRequest get;
  get.set_id(late.id());
  auto current = *trainings().GetTraining(get);
  v1::UpdateSessionRequest us;
  us.set_training_id(late.id());
  us.set_expected_version(current.version());
  *us.mutable_session() = current.sessions(0);
  *us.mutable_session()->mutable_starts_at() = common::TimestampFromMicros(Dec(5, 8));
  *us.mutable_session()->mutable_ends_at() = common::TimestampFromMicros(Dec(5, 9));
  auto moved = trainings().UpdateSession(us);
  ASSERT_TRUE(moved.ok()) << moved.status();
  EXPECT_THAT(titles(), ElementsAre("遅い研修", "早い研修"));
  // A session added before the other's first start moves it to the front again.
  v1::AddSessionRequest add;
  add.set_training_id(early.id());
  add.set_expected_version(early.version());
  *add.mutable_session() = MakeSession(Dec(4, 10), Dec(4, 11), "会議室A", 10);
  auto added = trainings().AddSession(add);
  ASSERT_TRUE(added.ok()) << added.status();
  EXPECT_THAT(titles(), ElementsAre("早い研修", "遅い研修"));
  EXPECT_EQ(trainings().ListTrainings({})->total(), 2);
  ASSERT_TRUE(trainings().Load().ok());
  EXPECT_THAT(titles(), ElementsAre("早い研修", "遅い研修")) << "the same order after a restart";
}

TEST_F(TrainingTest, AlternativeDatesTakeSeatsPerSession) {
  auto training = MakeTraining("どちらかの日", {MakeSession(Dec(5, 14), Dec(5, 16), "会議室", 1),
                                                MakeSession(Dec(6, 14), Dec(6, 16), "会議室", 1)});
  training.set_sessions_are_one_course(false);
  auto t = Create(training);
  EXPECT_THAT(ViolatedFields(Register(t, "x").status()), ElementsAre("registration.session_ids"));
  EXPECT_EQ(Register(t, "a", "132250", {t.sessions(0).id()})->status(),
            v1::REGISTRATION_STATUS_CONFIRMED);
  EXPECT_EQ(Register(t, "b", "132250", {t.sessions(0).id()})->status(),
            v1::REGISTRATION_STATUS_WAITLISTED);
  // The full first day does not block the second.
  EXPECT_EQ(Register(t, "c", "132250", {t.sessions(1).id()})->status(),
            v1::REGISTRATION_STATUS_CONFIRMED);
  // Waiting counts are per session: b waits for the first day only, d for both.
  EXPECT_EQ(Register(t, "d", "132250", {t.sessions(0).id(), t.sessions(1).id()})->status(),
            v1::REGISTRATION_STATUS_WAITLISTED);
  v1::GetTrainingRequest get;
  get.set_id(t.id());
  auto now = *trainings().GetTraining(get);
  EXPECT_EQ(now.sessions(0).confirmed(), 1);
  EXPECT_EQ(now.sessions(0).waitlisted(), 2);
  EXPECT_EQ(now.sessions(1).confirmed(), 1);
  EXPECT_EQ(now.sessions(1).waitlisted(), 1);
  auto summary = trainings().ListTrainings({})->trainings(0);
  EXPECT_EQ(summary.capacity(), 2);
  EXPECT_EQ(summary.confirmed(), 2);
  EXPECT_EQ(summary.waitlisted(), 2);
}

TEST_F(TrainingTest, ASessionAddedToACourseIsTakenByItsRegistrations) {
  auto t = Create(MakeTraining("講義と演習", {MakeSession(Dec(5, 14), Dec(5, 16), "会議室", 2)}));
  auto a = *Register(t, "a");
  auto b = *Register(t, "b");
  auto c = *Register(t, "c");
  ASSERT_EQ(c.status(), v1::REGISTRATION_STATUS_WAITLISTED);
  v1::AddSessionRequest add;
  add.set_training_id(t.id());
  add.set_expected_version(t.version());
  *add.mutable_session() = MakeSession(Dec(12, 14), Dec(12, 16), "会議室", 1);
  EXPECT_THAT(ViolatedFields(trainings().AddSession(add).status()),
              ElementsAre("session.capacity"));
  add.mutable_session()->set_capacity(3);
  auto added = trainings().AddSession(add);
  ASSERT_TRUE(added.ok()) << added.status();
  ASSERT_EQ(added->sessions_size(), 2);
  EXPECT_EQ(added->sessions(1).confirmed(), 2);
  EXPECT_EQ(added->sessions(1).waitlisted(), 1);
  EXPECT_EQ(trainings().ListTrainings({})->trainings(0).capacity(), 2);  // the smallest session
  v1::RecordAttendanceRequest att;
  att.set_training_id(t.id());
  att.set_session_id(added->sessions(1).id());
  auto* e = att.add_entries();
  e->set_registration_id(a.id());
  e->set_attended(true);
  EXPECT_TRUE(trainings().RecordAttendance(att).ok());
  // A cancellation promotes c into both sessions.
  v1::CancelRegistrationRequest cancel;
  cancel.set_id(b.id());
  ASSERT_TRUE(trainings().CancelRegistration(cancel).ok());
  v1::GetRegistrationRequest get;
  get.set_id(c.id());
  auto promoted = *trainings().GetRegistration(get);
  EXPECT_EQ(promoted.status(), v1::REGISTRATION_STATUS_CONFIRMED);
  EXPECT_EQ(promoted.session_ids_size(), 2);

  v1::CancelTrainingRequest stop;
  stop.set_id(t.id());
  stop.set_expected_version(added->version());
  stop.set_reason("講師の体調不良のため");
  auto cancelled = trainings().CancelTraining(stop);
  ASSERT_TRUE(cancelled.ok());
  EXPECT_EQ(cancelled->cancellation_reason(), "講師の体調不良のため");
  EXPECT_EQ(cancelled->status(), v1::TRAINING_STATUS_CANCELLED);
}

TEST_F(TrainingTest, ASingleSessionNeedsNoChoice) {
  auto training = MakeTraining("1回だけ", {MakeSession(Dec(5, 14), Dec(5, 16), "会議室", 5)});
  training.set_sessions_are_one_course(false);
  auto t = Create(training);
  auto r = Register(t, "a");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(r->session_ids(), ElementsAre(t.sessions(0).id()));
}

TEST_F(TrainingTest, QuotaAndDeadline) {
  auto training =
      MakeTraining("市区町村ごとに1名", {MakeSession(Dec(5, 14), Dec(5, 16), "会議室", 50)});
  training.set_quota_per_municipality(1);
  *training.mutable_registration_deadline() = common::TimestampFromMicros(Dec(1, 17));
  auto t = Create(training);
  EXPECT_TRUE(Register(t, "inagi1").ok());
  auto second = Register(t, "inagi2");
  EXPECT_THAT(ViolatedFields(second.status()), ElementsAre("registration.municipality_code"));
  EXPECT_TRUE(Register(t, "chofu1", "132080").ok());
  clock_.SetMicros(Dec(1, 17));
  auto late = Register(t, "fuchu1", "132063");
  EXPECT_THAT(ViolatedFields(late.status()), ElementsAre("registration_deadline"));
  EXPECT_THAT(Descriptions(late.status()), HasSubstr("2026/12/01 17:00"));
  EXPECT_EQ(tokyo_->Events().size(), 3u);
}

TEST_F(TrainingTest, AttendanceSurveysAndResultsPerMunicipality) {
  auto t = Create(MakeTraining(
      "説明の演習", {MakeSession(Dec(5, 14), Dec(5, 16), "会議室", 10, "講師 看取 花子")}));
  auto a = *Register(t, "a", "132250");
  auto b = *Register(t, "b", "132250");
  auto c = *Register(t, "c", "132080");
  v1::SubmitSurveyRequest early;
  early.set_registration_id(a.id());
  auto* ans = early.add_answers();
  ans->set_item_id("q1");
  ans->set_likert(4);
  EXPECT_THAT(ViolatedFields(trainings().SubmitSurvey(early).status()),
              ElementsAre("registration_id"));

  v1::RecordAttendanceRequest att;
  att.set_training_id(t.id());
  att.set_session_id(t.sessions(0).id());
  for (const auto* r : {&a, &b, &c}) {
    auto* e = att.add_entries();
    e->set_registration_id(r->id());
    e->set_attended(r != &b);
  }
  auto recorded = trainings().RecordAttendance(att);
  ASSERT_TRUE(recorded.ok()) << recorded.status();
  EXPECT_EQ(recorded->recorded(), 3);
  EXPECT_EQ(recorded->attended(), 2);

  auto* text = early.add_answers();
  text->set_item_id("q2");
  text->set_text("家族への説明に使える資料がほしい（稲城市 山田）");
  ASSERT_TRUE(trainings().SubmitSurvey(early).ok());
  EXPECT_THAT(trainings().SubmitSurvey(early).status(), StatusIs(absl::StatusCode::kAlreadyExists));
  v1::SubmitSurveyRequest bad;
  bad.set_registration_id(c.id());
  bad.add_answers()->set_item_id("q9");
  auto* six = bad.add_answers();
  six->set_item_id("q1");
  six->set_likert(6);
  EXPECT_THAT(ViolatedFields(trainings().SubmitSurvey(bad).status()),
              ElementsAre("answers[0].item_id", "answers[1].likert"));
  v1::SubmitSurveyRequest good;
  good.set_registration_id(c.id());
  good.add_answers()->set_item_id("q1");
  good.mutable_answers(0)->set_likert(2);
  ASSERT_TRUE(trainings().SubmitSurvey(good).ok());

  v1::GetSurveyResultsRequest results;
  results.set_training_id(t.id());
  results.set_include_free_text(true);
  auto res = *trainings().GetSurveyResults(results);
  EXPECT_EQ(res.overall().registered(), 3);
  EXPECT_EQ(res.overall().attended(), 2);
  EXPECT_EQ(res.overall().responses(), 2);
  ASSERT_EQ(res.overall().items_size(), 1);
  EXPECT_DOUBLE_EQ(res.overall().items(0).mean(), 3.0);
  EXPECT_THAT(res.overall().items(0).distribution(), ElementsAre(0, 1, 0, 1, 0));
  ASSERT_EQ(res.by_municipality_size(), 2);
  EXPECT_EQ(res.by_municipality(0).municipality_code(), "132080");
  EXPECT_DOUBLE_EQ(res.by_municipality(0).items(0).mean(), 2.0);
  EXPECT_EQ(res.by_municipality(1).municipality_code(), "132250");
  EXPECT_EQ(res.by_municipality(1).registered(), 2);
  EXPECT_DOUBLE_EQ(res.by_municipality(1).items(0).mean(), 4.0);
  EXPECT_THAT(res.free_text(), ElementsAre(HasSubstr("資料がほしい")));

  // Free text never reaches the bus; the Likert answer does, with its skill.
  for (const auto& e : tokyo_->Events()) {
    EXPECT_EQ(e.SerializeAsString().find("資料がほしい"), std::string::npos);
    EXPECT_EQ(e.SerializeAsString().find("参加者"), std::string::npos);
    EXPECT_EQ(e.SerializeAsString().find("example.jp"), std::string::npos);
  }
  const auto events = tokyo_->Events();
  const auto& submitted = events[events.size() - 1].survey_submitted();
  EXPECT_EQ(submitted.municipality_code(), "132080");
  ASSERT_EQ(submitted.answers_size(), 1);
  EXPECT_EQ(submitted.skill_codes(0), "explain_dying_process");

  // At rest: names, contacts, the lecturer and the free text are in no key or value of the store
  // (the title, not personal, is); reads return them as written.
  for (const char* personal : {"資料がほしい", "参加者 a", "a@example.jp", "講師 看取 花子"}) {
    EXPECT_THAT(renkei::testing::StoreEntriesContaining(*tokyo_->store, personal), IsEmpty())
        << personal;
  }
  EXPECT_THAT(renkei::testing::StoreEntriesContaining(*tokyo_->store, "説明の演習"),
              ::testing::Contains(::testing::StartsWith("trainings: ")));
  v1::GetRegistrationRequest get_a;
  get_a.set_id(a.id());
  auto read_a = trainings().GetRegistration(get_a);
  ASSERT_TRUE(read_a.ok()) << read_a.status();
  EXPECT_EQ(read_a->participant_name(), "参加者 a");
  EXPECT_EQ(read_a->participant_contact(), "a@example.jp");
  v1::GetTrainingRequest get_t;
  get_t.set_id(t.id());
  auto read_t = trainings().GetTraining(get_t);
  ASSERT_TRUE(read_t.ok()) << read_t.status();
  EXPECT_EQ(read_t->sessions(0).lecturers(0).name(), "講師 看取 花子");
  res = *trainings().GetSurveyResults(results);
  EXPECT_THAT(res.free_text(), ElementsAre("家族への説明に使える資料がほしい（稲城市 山田）"));
}

TEST_F(TrainingTest, VisibilityFollowsTheOrganizerAndSurvivesARestart) {
  Create(MakeTraining("東京都の研修", {MakeSession(Dec(5, 14), Dec(5, 16), "会議室", 10)}));
  v1::ListTrainingsRequest list;
  list.set_municipality_code("132250");
  EXPECT_EQ(trainings().ListTrainings(list)->total(), 1);
  list.set_municipality_code("112020");  // 熊谷市 (埼玉県)
  EXPECT_EQ(trainings().ListTrainings(list)->total(), 0);

  Instance inagi(tmp_.Sub("m132250"), v1::INSTANCE_LEVEL_MUNICIPALITY, "132250", &clock_);
  v1::CreateTrainingRequest r;
  *r.mutable_training() =
      MakeTraining("稲城市の研修", {MakeSession(Dec(5, 14), Dec(5, 16), "会議室", 10)});
  ASSERT_TRUE(inagi.trainings->CreateTraining(r).ok());
  list.set_municipality_code("132250");
  EXPECT_EQ(inagi.trainings->ListTrainings(list)->total(), 1);
  list.set_municipality_code("132080");
  EXPECT_EQ(inagi.trainings->ListTrainings(list)->total(), 0);

  // A restart rebuilds the index with the counts.
  auto t = *trainings().ListTrainings({});
  v1::Training training;
  training.set_id(t.trainings(0).id());
  v1::GetTrainingRequest get;
  get.set_id(training.id());
  ASSERT_TRUE(Register(*trainings().GetTraining(get), "a").ok());
  ASSERT_TRUE(trainings().Load().ok());
  EXPECT_EQ(trainings().ListTrainings({})->trainings(0).confirmed(), 1);
}

TEST_F(TrainingTest, OnlyTheNationalInstancePublishesTheSkillFramework) {
  v1::PublishSkillFrameworkRequest r;
  r.set_expected_version(1);
  *r.mutable_skills() = BuiltInSkillFramework().skills();
  auto* skill = r.add_skills();
  skill->set_code("facilitate_meetings");
  skill->set_group(v1::SKILL_GROUP_TRAINING_PLANNING);
  skill->set_name("会議の進行");
  skill->add_levels()->set_level(v1::SKILL_LEVEL_BEGINNER);
  EXPECT_THAT(trainings().PublishSkillFramework(r).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition));

  Instance nation(tmp_.Sub("national"), v1::INSTANCE_LEVEL_NATIONAL, "000000", &clock_);
  auto published = nation.trainings->PublishSkillFramework(r);
  ASSERT_TRUE(published.ok()) << published.status();
  EXPECT_EQ(published->version(), 2);
  EXPECT_THAT(nation.trainings->PublishSkillFramework(r).status(),
              StatusIs(absl::StatusCode::kAborted));
  EXPECT_THAT(nation.EventTypes(), ElementsAre("skill_framework_published"));
  auto t = MakeTraining("会議の進行", {MakeSession(Dec(5, 14), Dec(5, 16), "会議室", 10)});
  t.mutable_target_skills(0)->set_skill_code("facilitate_meetings");
  t.mutable_target_skills(0)->set_level(v1::SKILL_LEVEL_BEGINNER);
  v1::CreateTrainingRequest create;
  *create.mutable_training() = t;
  auto created = nation.trainings->CreateTraining(create);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->skill_framework_version(), 2);
  EXPECT_EQ(created->share_level(), v1::SHARE_LEVEL_NATIONAL);
  // The prefecture still has version 1 (the federation delivers version 2 later).
  EXPECT_THAT(ViolatedFields(trainings().CreateTraining(create).status()),
              ElementsAre("training.target_skills[0].skill_code"));
  v1::GetSkillFrameworkRequest v1req;
  v1req.set_version(1);
  EXPECT_EQ(nation.trainings->GetSkillFramework(v1req)->skills_size(),
            BuiltInSkillFramework().skills_size());
}

}  // namespace
}  // namespace renkei::training

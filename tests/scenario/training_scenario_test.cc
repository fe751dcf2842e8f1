// The training of countermeasure M3 of worked example 2, end to end through the public gRPC API of
// the real binaries and a real nats-server:
//
//   Inagi (132250) carries its end-of-life issue to step 5 and plans M3 (care managers, visiting
//   nurses and physicians: exercises and materials to explain the dying process to families).
//   The prefecture of Tokyo (130001) schedules the training that carries M3 out — two sessions,
//   a course of three seats — and links it to the countermeasure, which Inagi links back.
//   Coordinators of Inagi, Chofu and Fuchu register past capacity; one cancels and the first in
//   line is promoted; attendance is recorded per session; participants answer the survey
//   (Likert items measuring the explanation skill of E1, and free text); the results come out
//   for the training and per municipality. The .ics exports (the training, a participant's
//   registrations, everything Inagi can see) parse with a real iCalendar parser (Debian's
//   python3-icalendar). Nothing personal — names, contacts, lecturers, free text — is on the bus.
#include <cstdio>
#include <fstream>
#include <iostream>

#include "at_rest_scan.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "harness.h"
#include "renkei/common/clock.h"
#include "renkei/common/dates.h"
#include "renkei/v1/issues.grpc.pb.h"
#include "renkei/v1/training.grpc.pb.h"

namespace renkei::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;

using TrainingStub = v1::TrainingService::Stub;
using IssuesStub = v1::IssuesService::Stub;

constexpr int64_t kHour = 3600LL * 1000000;
constexpr int64_t kDay = 24 * kHour;

// Runs a command and returns its standard output (and its exit status in *status).
std::string Run(const std::string& command, int* status) {
  std::string out;
  FILE* p = popen(command.c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  *status = pclose(p);
  return out;
}

// What python3-icalendar reads from an .ics file: one line per VEVENT,
// "summary|dtstart ISO|dtend ISO|location|status", after the calendar's name.
std::string ParseIcs(const std::string& path, int* status) {
  const std::string script =
      "import icalendar,sys\n"
      "c=icalendar.Calendar.from_ical(open(sys.argv[1],'rb').read())\n"
      "print(c.get('x-wr-calname'))\n"
      "for e in c.walk('VEVENT'):\n"
      "  print('|'.join([str(e.get('summary')), e.decoded('dtstart').isoformat(),"
      " e.decoded('dtend').isoformat(), str(e.get('location')), str(e.get('status'))]))\n";
  const std::string script_path = path + ".py";
  std::ofstream(script_path) << script;
  // Debian's interpreter, where python3-icalendar is installed (tools/setup.sh).
  return Run("/usr/bin/python3 " + script_path + " " + path + " 2>&1", status);
}

class TrainingScenario : public ::testing::Test {
 protected:
  void SetUp() override {
    auto nats = NatsServer::Start(tmp_.Sub("nats"));
    ASSERT_TRUE(nats.ok());
    nats_ = std::move(*nats);
    InstanceSpec inagi;
    inagi.stream = "EVENTS_M132250";
    inagi_ = std::make_unique<InstanceProcesses>(tmp_.Sub("inagi"), nats_->url(), inagi);
    InstanceSpec tokyo;
    tokyo.code = "130001";
    tokyo.prefecture = true;
    tokyo.stream = "EVENTS_P13";
    tokyo_ = std::make_unique<InstanceProcesses>(tmp_.Sub("tokyo"), nats_->url(), tokyo);
    ASSERT_TRUE(inagi_->Start("issues").ok());
    ASSERT_TRUE(tokyo_->Start("training").ok());
    issues_ = v1::IssuesService::NewStub(inagi_->channel("issues"));
    training_ = v1::TrainingService::NewStub(tokyo_->channel("training"));
  }
  void TearDown() override {
    tokyo_->Stop("training");
    inagi_->Stop("issues");
  }

  template <typename Stub, typename Req, typename Resp>
  Resp Ok(Stub* stub, grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
          const Req& req) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    Resp resp;
    grpc::Status s = (stub->*method)(&ctx, req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message() << "\n" << ViolationDescriptions(s);
    return resp;
  }

  // Inagi's end-of-life issue at step 5 with M3 planned; returns (issue, M3).
  std::pair<v1::RegionalIssue, v1::Countermeasure> PlanM3() {
    v1::CreateIssueRequest create;
    create.set_theme("【看取り】終末期に本人の意向に沿えず、家族が入院を選ぶことがある");
    auto issue = Ok(issues_.get(), &IssuesStub::CreateIssue, create);
    auto step = [&](const std::function<void(v1::UpdateIssueRequest*)>& fill) {
      v1::UpdateIssueRequest u;
      u.set_id(issue.id());
      u.set_expected_version(issue.version());
      fill(&u);
      issue = Ok(issues_.get(), &IssuesStub::UpdateIssue, u);
      v1::AdvanceStepRequest a;
      a.set_id(issue.id());
      a.set_expected_version(issue.version());
      issue = Ok(issues_.get(), &IssuesStub::AdvanceStep, a);
    };
    step([](auto* u) {
      u->set_target_state(
          "終末期であっても、在宅サービスを使うことで本人の意向を尊重した在宅生活を継続できる");
    });
    step([](auto* u) {
      u->set_current_state("衰弱すると家族が不安になり、救急車を呼んで入院に至ることがある");
      u->set_replace_evidence(true);
      auto* e = u->add_evidence();
      e->set_kind(v1::EVIDENCE_KIND_HEARING);
      e->set_summary("ケアマネジャー・訪問看護師へのヒアリング");
    });
    step([](auto* u) { u->set_chosen_issue("本人の意向に沿った在宅での看取りができていない"); });
    step([](auto* u) {
      u->set_replace_causes(true);
      u->add_causes()->set_text("本人の意向を具体的に確認できていない");
      auto* main = u->add_causes();
      main->set_text("衰弱すると家族が不安になる");
      main->set_main(true);
      u->set_root_cause(
          "専門職が看取るプロセスを十分説明しきれていないため、家族の不安が高まってしまっている");
    });
    EXPECT_EQ(issue.current_step(), 5);
    v1::AddCountermeasureRequest add;
    add.set_id(issue.id());
    add.set_expected_version(issue.version());
    auto* m3 = add.mutable_countermeasure();
    m3->set_label("M3");
    m3->add_audiences(v1::AUDIENCE_ROLE_CARE_MANAGERS);
    m3->add_audiences(v1::AUDIENCE_ROLE_VISITING_NURSES);
    m3->add_audiences(v1::AUDIENCE_ROLE_PHYSICIANS);
    m3->set_content("在宅看取りプロセスを家族に説明する演習や資料の作成");
    m3->set_owner("東京都・稲城市");
    issue = Ok(issues_.get(), &IssuesStub::AddCountermeasure, add);
    return {issue, issue.countermeasures(issue.countermeasures_size() - 1)};
  }

  TempDir tmp_;
  std::unique_ptr<NatsServer> nats_;
  std::unique_ptr<InstanceProcesses> inagi_, tokyo_;
  std::unique_ptr<IssuesStub> issues_;
  std::unique_ptr<TrainingStub> training_;
};

TEST_F(TrainingScenario, TokyoTrainsCoordinatorsToExplainTheDyingProcessForCountermeasureM3) {
  auto [issue, m3] = PlanM3();
  ASSERT_FALSE(m3.id().empty());

  // Two sessions a week apart, two weeks from now: 14:00–16:30 at the Tokyo Metropolitan
  // Government building, then 18:30–20:00 online. Three seats; registrations close the day before.
  const int64_t day = common::TokyoStartOfDay(
      common::TokyoDate(common::SystemClock::Get()->NowMicros() + 14 * kDay));
  v1::CreateTrainingRequest create;
  auto* t = create.mutable_training();
  t->set_title("看取りの過程を家族に説明する — 演習と資料づくり");
  t->set_description(
      "痩せる等、在宅看取りまでのプロセスを家族に説明する演習を行い、説明資料を作成します。");
  for (auto a : {v1::AUDIENCE_ROLE_COORDINATORS, v1::AUDIENCE_ROLE_CARE_MANAGERS,
                 v1::AUDIENCE_ROLE_VISITING_NURSES, v1::AUDIENCE_ROLE_PHYSICIANS}) {
    t->add_audiences(a);
  }
  auto* skill = t->add_target_skills();
  skill->set_skill_code("explain_dying_process");
  skill->set_level(v1::SKILL_LEVEL_PRACTITIONER);
  t->mutable_countermeasure()->set_issue_id(issue.id());
  t->mutable_countermeasure()->set_countermeasure_id(m3.id());
  t->mutable_countermeasure()->set_label("M3");
  auto* material = t->add_materials();
  material->set_title("家族向け説明資料（案）");
  material->set_reference("mitori-setsumei-v1.pdf");
  t->set_sessions_are_one_course(true);
  *t->mutable_registration_deadline() = common::TimestampFromMicros(day - 7 * kHour);
  auto* s1 = t->add_sessions();
  *s1->mutable_starts_at() = common::TimestampFromMicros(day + 14 * kHour);
  *s1->mutable_ends_at() = common::TimestampFromMicros(day + 16 * kHour + 30LL * 60 * 1000000);
  s1->set_venue("東京都庁 第一本庁舎 42階 特別会議室");
  s1->set_capacity(3);
  auto* lecturer = s1->add_lecturers();
  lecturer->set_name("看取 花子");
  lecturer->set_affiliation("訪問看護ステーション");
  auto* s2 = t->add_sessions();
  *s2->mutable_starts_at() =
      common::TimestampFromMicros(day + 7 * kDay + 18 * kHour + 30LL * 60 * 1000000);
  *s2->mutable_ends_at() = common::TimestampFromMicros(day + 7 * kDay + 20 * kHour);
  s2->set_online(true);
  s2->set_online_url("https://meet.example.jp/tokyo-mitori");
  s2->set_capacity(3);
  auto add_item = [&](const char* id, v1::SurveyItemKind kind, const char* q,
                      const char* skill_code) {
    auto* item = t->add_survey_items();
    item->set_id(id);
    item->set_kind(kind);
    item->set_question(q);
    item->set_skill_code(skill_code);
    item->set_required(kind == v1::SURVEY_ITEM_KIND_LIKERT);
  };
  add_item("e1_confidence", v1::SURVEY_ITEM_KIND_LIKERT, "看取りの過程を家族に説明する自信がついた",
           "explain_dying_process");
  add_item("e1_understanding", v1::SURVEY_ITEM_KIND_LIKERT,
           "体重減少など最期までの変化を説明できる", "explain_dying_process");
  add_item("comment", v1::SURVEY_ITEM_KIND_FREE_TEXT, "ご意見・ご感想", "");
  auto training = Ok(training_.get(), &TrainingStub::CreateTraining, create);
  ASSERT_EQ(training.sessions_size(), 2);
  EXPECT_EQ(training.organizer_level(), v1::ORGANIZER_LEVEL_PREFECTURE);
  EXPECT_EQ(training.organizer_code(), "130001");

  // Inagi links M3 to the training that carries it out.
  v1::UpdateCountermeasureRequest link;
  link.set_id(issue.id());
  link.set_expected_version(issue.version());
  link.set_countermeasure_id(m3.id());
  link.set_training_id(training.id());
  link.set_status(v1::COUNTERMEASURE_STATUS_IN_PROGRESS);
  issue = Ok(issues_.get(), &IssuesStub::UpdateCountermeasure, link);
  EXPECT_EQ(issue.countermeasures(0).training_id(), training.id());

  // It is visible to Inagi and Chofu (Tokyo), not to Kumagaya (Saitama).
  v1::ListTrainingsRequest visible;
  visible.set_municipality_code("132250");
  EXPECT_EQ(Ok(training_.get(), &TrainingStub::ListTrainings, visible).total(), 1);
  visible.set_municipality_code("112020");
  EXPECT_EQ(Ok(training_.get(), &TrainingStub::ListTrainings, visible).total(), 0);

  // Five coordinators register for three seats.
  struct Person {
    const char* id;
    const char* name;
    const char* municipality;
    bool consent;
  };
  const Person people[] = {{"inagi-01", "稲城 一郎", "132250", true},
                           {"chofu-01", "調布 二美", "132080", false},
                           {"inagi-02", "稲城 三子", "132250", true},
                           {"fuchu-01", "府中 四郎", "132063", true},
                           {"chofu-02", "調布 五月", "132080", true}};
  std::vector<v1::Registration> regs;
  for (const auto& p : people) {
    v1::RegisterRequest r;
    auto* reg = r.mutable_registration();
    reg->set_training_id(training.id());
    reg->set_participant_id(p.id);
    reg->set_participant_name(p.name);
    reg->set_participant_contact(std::string(p.id) + "@example.lg.jp");
    reg->set_municipality_code(p.municipality);
    reg->set_role(v1::AUDIENCE_ROLE_COORDINATORS);
    reg->set_network_consent(p.consent);
    regs.push_back(Ok(training_.get(), &TrainingStub::Register, r));
  }
  std::vector<v1::RegistrationStatus> statuses;
  statuses.reserve(regs.size());
  for (const auto& r : regs) statuses.push_back(r.status());
  EXPECT_THAT(statuses,
              ElementsAre(v1::REGISTRATION_STATUS_CONFIRMED, v1::REGISTRATION_STATUS_CONFIRMED,
                          v1::REGISTRATION_STATUS_CONFIRMED, v1::REGISTRATION_STATUS_WAITLISTED,
                          v1::REGISTRATION_STATUS_WAITLISTED));
  EXPECT_EQ(regs[3].waitlist_position(), 1);
  EXPECT_EQ(regs[4].waitlist_position(), 2);

  // Chofu's first coordinator cancels: Fuchu's, first in line, is promoted; Chofu's second moves
  // up.
  v1::CancelRegistrationRequest cancel;
  cancel.set_id(regs[1].id());
  cancel.set_reason("業務都合");
  EXPECT_EQ(Ok(training_.get(), &TrainingStub::CancelRegistration, cancel).status(),
            v1::REGISTRATION_STATUS_CANCELLED);
  v1::GetRegistrationRequest get;
  get.set_id(regs[3].id());
  regs[3] = Ok(training_.get(), &TrainingStub::GetRegistration, get);
  EXPECT_EQ(regs[3].status(), v1::REGISTRATION_STATUS_CONFIRMED);
  get.set_id(regs[4].id());
  regs[4] = Ok(training_.get(), &TrainingStub::GetRegistration, get);
  EXPECT_EQ(regs[4].status(), v1::REGISTRATION_STATUS_WAITLISTED);
  EXPECT_EQ(regs[4].waitlist_position(), 1);

  // Attendance: everyone at the first session, Inagi's second coordinator misses the second.
  const v1::Registration* attendees[] = {regs.data(), &regs[2], &regs[3]};
  for (int session = 0; session < 2; ++session) {
    v1::RecordAttendanceRequest att;
    att.set_training_id(training.id());
    att.set_session_id(training.sessions(session).id());
    for (const auto* r : attendees) {
      auto* e = att.add_entries();
      e->set_registration_id(r->id());
      e->set_attended(!(session == 1 && r == &regs[2]));
    }
    EXPECT_EQ(Ok(training_.get(), &TrainingStub::RecordAttendance, att).attended(),
              session == 0 ? 3 : 2);
  }

  // Surveys (E1: the explanation skill).
  auto survey = [&](const v1::Registration& r, int confidence, int understanding,
                    const std::string& comment) {
    v1::SubmitSurveyRequest s;
    s.set_registration_id(r.id());
    auto* a = s.add_answers();
    a->set_item_id("e1_confidence");
    a->set_likert(confidence);
    a = s.add_answers();
    a->set_item_id("e1_understanding");
    a->set_likert(understanding);
    if (!comment.empty()) {
      a = s.add_answers();
      a->set_item_id("comment");
      a->set_text(comment);
    }
    Ok(training_.get(), &TrainingStub::SubmitSurvey, s);
  };
  survey(regs[0], 4, 5, "家族に渡す資料があると説明しやすい。稲城の訪問看護Sと共有したい");
  survey(regs[2], 3, 4, "");
  survey(regs[3], 5, 4, "演習で実際に説明してみて自信がついた");

  v1::GetSurveyResultsRequest results_req;
  results_req.set_training_id(training.id());
  results_req.set_include_free_text(true);
  auto results = Ok(training_.get(), &TrainingStub::GetSurveyResults, results_req);
  EXPECT_EQ(results.overall().registered(), 3);
  EXPECT_EQ(results.overall().attended(), 3);
  EXPECT_EQ(results.overall().responses(), 3);
  ASSERT_EQ(results.overall().items_size(), 2);
  EXPECT_DOUBLE_EQ(results.overall().items(0).mean(), 4.0);
  EXPECT_THAT(results.overall().items(0).distribution(), ElementsAre(0, 0, 1, 1, 1));
  EXPECT_NEAR(results.overall().items(1).mean(), 13.0 / 3, 1e-9);
  ASSERT_EQ(results.by_municipality_size(), 2);
  const auto& fuchu = results.by_municipality(0);
  const auto& inagi = results.by_municipality(1);
  EXPECT_EQ(fuchu.municipality_code(), "132063");
  EXPECT_EQ(fuchu.responses(), 1);
  EXPECT_DOUBLE_EQ(fuchu.items(0).mean(), 5.0);
  EXPECT_EQ(inagi.municipality_code(), "132250");
  EXPECT_EQ(inagi.registered(), 2);
  EXPECT_EQ(inagi.responses(), 2);
  EXPECT_DOUBLE_EQ(inagi.items(0).mean(), 3.5);
  EXPECT_DOUBLE_EQ(inagi.items(1).mean(), 4.5);
  EXPECT_THAT(results.free_text(), SizeIs(2));
  std::cout << "survey results (E1, explanation skill):\n";
  for (const auto* g : {&results.overall(), &fuchu, &inagi}) {
    std::cout << "  " << (g->municipality_code().empty() ? "all   " : g->municipality_code())
              << " registered " << g->registered() << " attended " << g->attended() << " responses "
              << g->responses();
    for (const auto& item : g->items()) std::cout << "  " << item.item_id() << " " << item.mean();
    std::cout << "\n";
  }

  // Peers: Inagi's first coordinator finds who attended with them (names only with consent).
  v1::ListPeersRequest peers_req;
  peers_req.set_participant_id("inagi-01");
  auto peers = Ok(training_.get(), &TrainingStub::ListPeers, peers_req);
  ASSERT_EQ(peers.peers_size(), 2);
  EXPECT_EQ(peers.peers(0).participant_id(), "fuchu-01");
  EXPECT_EQ(peers.peers(0).name(), "府中 四郎");
  EXPECT_EQ(peers.peers(1).participant_id(), "inagi-02");

  // Calendars parse with a real iCalendar parser.
  auto export_ics = [&](const v1::ExportCalendarRequest& r, const std::string& file) {
    auto cal = Ok(training_.get(), &TrainingStub::ExportCalendar, r);
    const std::string path = tmp_.Sub("ics") + "-" + file;
    std::ofstream(path, std::ios::binary) << cal.content();
    int status = -1;
    std::string parsed = ParseIcs(path, &status);
    EXPECT_EQ(status, 0) << parsed;
    return parsed;
  };
  v1::ExportCalendarRequest by_training;
  by_training.set_training_id(training.id());
  const std::string parsed = export_ics(by_training, "training.ics");
  std::cout << "python3-icalendar read training.ics:\n" << parsed;
  const v1::Date d = common::TokyoDate(day);
  char first[64];
  snprintf(first, sizeof first, "%04d-%02d-%02dT14:00:00+09:00", d.year(), d.month(), d.day());
  EXPECT_THAT(parsed,
              HasSubstr("看取りの過程を家族に説明する — 演習と資料づくり|" + std::string(first)));
  EXPECT_THAT(parsed, HasSubstr("東京都庁 第一本庁舎 42階 特別会議室|CONFIRMED"));
  EXPECT_THAT(parsed, HasSubstr("T18:30:00+09:00"));
  int events = 0;
  for (char c : parsed) events += c == '|' ? 1 : 0;
  EXPECT_EQ(events, 2 * 4);  // two VEVENTs of five fields

  v1::ExportCalendarRequest mine;
  mine.set_participant_id("chofu-02");  // still waiting
  const std::string waiting = export_ics(mine, "chofu-02.ics");
  EXPECT_THAT(waiting, HasSubstr("キャンセル待ち 1番"));
  EXPECT_THAT(waiting, HasSubstr("TENTATIVE"));
  v1::ExportCalendarRequest municipality;
  municipality.set_municipality_code("132250");
  EXPECT_THAT(export_ics(municipality, "132250.ics"), HasSubstr("稲城市の研修"));

  // Nothing personal on the prefecture's stream.
  common::NatsOptions o;
  o.url = nats_->url();
  auto bus = std::move(*common::NatsBus::Connect(o));
  SettledStreamCount(*bus, "EVENTS_P13");
  const auto messages = ReadStream(*bus, "EVENTS_P13");
  std::map<std::string, int> types;
  for (const auto& m : messages) {
    for (const auto& p : people) {
      EXPECT_EQ(m.data.find(p.name), std::string::npos) << m.subject;
      EXPECT_EQ(m.data.find("example.lg.jp"), std::string::npos) << m.subject;
    }
    EXPECT_EQ(m.data.find("看取 花子"), std::string::npos) << m.subject;
    EXPECT_EQ(m.data.find("自信がついた"), std::string::npos) << m.subject;
    EXPECT_EQ(m.data.find("訪問看護Sと共有"), std::string::npos) << m.subject;
    types[m.subject.substr(m.subject.rfind('.') + 1)]++;
  }
  EXPECT_EQ(types, (std::map<std::string, int>{{"training_scheduled", 1},
                                               {"registration_confirmed", 4},
                                               {"registration_waitlisted", 2},
                                               {"registration_cancelled", 1},
                                               {"attendance_recorded", 6},
                                               {"session_held", 2},
                                               {"survey_submitted", 3}}));

  // Acceptance 2, at rest: the participants' names and contacts, the lecturer and the free text
  // in no file of the training service's RocksDB directory, log, or the JetStream store. Control:
  // the training's title.
  std::vector<std::string> personal = {
      "看取 花子", "家族に渡す資料があると説明しやすい。稲城の訪問看護Sと共有したい",
      "演習で実際に説明してみて自信がついた"};
  for (const auto& p : people) {
    personal.push_back(p.name);
    personal.push_back(std::string(p.id) + "@example.lg.jp");
  }
  ExpectNothingPersonalAtRest(*tokyo_, {"training"}, personal, {{"training", training.title()}});
  ExpectNothingPersonalAtRest(*inagi_, {"issues"}, personal,
                              {{"issues", "在宅看取りプロセスを家族に説明する演習や資料の作成"}});
  ExpectNothingPersonalInJetStreamFiles(*nats_, tmp_.Sub("nats"), personal, training.id());
}

}  // namespace
}  // namespace renkei::testing

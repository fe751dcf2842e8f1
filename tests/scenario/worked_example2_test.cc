// Worked example 2 of DOMAIN.md — the Inagi end-of-life worksheet (看取り) — end to end through
// the public gRPC API of the real renkei-intake and renkei-issues binaries and a real
// nats-server:
//
//   three consultations raise seeds about end-of-life care; the issues service clusters them
//   into a candidate issue; the municipality accepts it; the coordinator and the municipality
//   enter the worksheet step by step exactly as in the example (source: seed/000_….txt, p.10,
//   埼玉県立大学のマニュアル p.28 を一部改変), with the council's meeting; the exported worksheet
//   (Markdown and CSV) holds every item: theme, target state, the four causes, the root cause,
//   M1–M3 with their audiences, E1–E3 with their measures.
//
// Then every message published to JetStream is read back: none holds the personal data entered
// in intake (names, narratives, seed notes) or the council's minutes; nor does any file of the
// services' RocksDB directories, their logs or the JetStream store (acceptance 2 of issue 8,
// at_rest_scan.h).
#include <iostream>

#include "at_rest_scan.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "harness.h"
#include "renkei/common/dates.h"
#include "renkei/common/events.h"
#include "renkei/common/personal.h"
#include "renkei/v1/intake.grpc.pb.h"
#include "renkei/v1/issues.grpc.pb.h"

namespace renkei::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;

using IssuesStub = v1::IssuesService::Stub;

// The example's text, as in the source.
constexpr char kTheme[] = "【看取り】終末期に本人の意向に沿えず、家族が入院を選ぶことがある";
constexpr char kTarget[] =
    "終末期であっても、在宅サービスを使うことで本人の意向を尊重した在宅生活を継続できる";
const char* const kCauses[] = {"本人の意向を具体的に確認できていない", "衰弱すると家族が不安になる",
                               "看取り経験少ないケアマネも不安になる",
                               "不安になると在宅医でなく救急車に連絡"};
constexpr char kRootCause[] =
    "専門職が看取るプロセスを十分説明しきれていないため、家族の不安が高まってしまっている";

struct MeasureSpec {
  const char* label;
  std::vector<v1::AudienceRole> audiences;
  const char* content;
};
const MeasureSpec kMeasures[] = {
    {"M1",
     {v1::AUDIENCE_ROLE_PERSON_AND_FAMILY},
     "看取るプロセスを知り、在宅看取りの心理的準備性を高める"},
    {"M2",
     {v1::AUDIENCE_ROLE_CARE_MANAGERS, v1::AUDIENCE_ROLE_VISITING_NURSES},
     "痩せる等、在宅看取りまでのプロセスを家族に説明するスキル獲得支援"},
    {"M3",
     {v1::AUDIENCE_ROLE_CARE_MANAGERS, v1::AUDIENCE_ROLE_VISITING_NURSES,
      v1::AUDIENCE_ROLE_PHYSICIANS},
     "在宅看取りプロセスを家族に説明する演習や資料の作成"},
};

struct ExpectSpec {
  const char* label;
  const char* description;
  const char* measure;
  std::vector<v1::MeasurementMethod> methods;
  double baseline;
};
const ExpectSpec kExpected[] = {
    {"E1",
     "ケアマネ等が説明できるスキルがあがる",
     "説明スキルのアンケート、試験",
     {v1::MEASUREMENT_METHOD_SURVEY, v1::MEASUREMENT_METHOD_TEST},
     2.4},
    {"E2",
     "ケアマネ等が家族に実際に説明するようになる",
     "説明した経験等の確認(アンケート)",
     {v1::MEASUREMENT_METHOD_SURVEY},
     31},
    {"E3",
     "説明により家族等が理解し、安心する",
     "家族の安心感等のヒアリング、アンケート",
     {v1::MEASUREMENT_METHOD_HEARING, v1::MEASUREMENT_METHOD_SURVEY},
     3.1},
};

class WorkedExample2 : public ::testing::Test {
 protected:
  void SetUp() override {
    auto nats = NatsServer::Start(tmp_.Sub("nats"));
    ASSERT_TRUE(nats.ok());
    nats_ = std::move(*nats);
    inagi_ = std::make_unique<InstanceProcesses>(tmp_.Sub("inagi"), nats_->url());
    ASSERT_TRUE(inagi_->Start("intake").ok());
    ASSERT_TRUE(inagi_->Start("issues").ok());
    intake_ = v1::IntakeService::NewStub(inagi_->channel("intake"));
    issues_ = v1::IssuesService::NewStub(inagi_->channel("issues"));
  }
  void TearDown() override {
    inagi_->Stop("issues");
    inagi_->Stop("intake");
  }

  template <typename Req, typename Resp>
  Resp Ok(grpc::Status (IssuesStub::*method)(grpc::ClientContext*, const Req&, Resp*),
          const Req& req) {
    grpc::ClientContext ctx;
    Resp resp;
    grpc::Status s = ((*issues_).*method)(&ctx, req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp;
  }

  // A consultation whose coordinator notices a seed about end-of-life care.
  v1::Consultation ConsultationWithSeed(v1::SourceType source, const std::string& name,
                                        const std::string& narrative,
                                        const std::string& seed_theme) {
    v1::CreateConsultationRequest create;
    create.set_channel(v1::CHANNEL_PHONE);
    create.set_source_type(source);
    create.mutable_requester()->set_name(name);
    create.set_narrative(narrative);
    v1::Consultation c;
    {
      grpc::ClientContext ctx;
      EXPECT_TRUE(intake_->CreateConsultation(&ctx, create, &c).ok());
    }
    v1::RaiseIssueSeedRequest seed;
    seed.set_id(c.id());
    seed.set_expected_version(c.version());
    seed.set_theme(seed_theme);
    seed.add_tags("看取り");
    seed.set_capability("end_of_life_care");
    grpc::ClientContext ctx;
    grpc::Status s = intake_->RaiseIssueSeed(&ctx, seed, &c);
    EXPECT_TRUE(s.ok()) << s.error_message();
    personal_.push_back(name);
    personal_.push_back(narrative);
    personal_.push_back(seed_theme);
    return c;
  }

  v1::RegionalIssue Update(const v1::RegionalIssue& issue,
                           const std::function<void(v1::UpdateIssueRequest*)>& fill) {
    v1::UpdateIssueRequest u;
    u.set_id(issue.id());
    u.set_expected_version(issue.version());
    fill(&u);
    return Ok(&IssuesStub::UpdateIssue, u);
  }
  v1::RegionalIssue Advance(const v1::RegionalIssue& issue) {
    v1::AdvanceStepRequest a;
    a.set_id(issue.id());
    a.set_expected_version(issue.version());
    return Ok(&IssuesStub::AdvanceStep, a);
  }

  TempDir tmp_;
  std::unique_ptr<NatsServer> nats_;
  std::unique_ptr<InstanceProcesses> inagi_;
  std::unique_ptr<v1::IntakeService::Stub> intake_;
  std::unique_ptr<IssuesStub> issues_;
  std::vector<std::string> personal_;
};

TEST_F(WorkedExample2, SeedsBecomeAnIssueCarriedThroughTheSevenStepsIntoTheWorksheet) {
  // --- Three consultations, three seeds (看取り) -> one candidate.
  std::vector<std::string> consultations;
  consultations.push_back(
      ConsultationWithSeed(v1::SOURCE_TYPE_CARE_MANAGER_SUPPORT_CENTER, "ケアマネ 向陽台 さくら",
                           "末期がんの利用者。本人は自宅での最期を希望していたが、呼吸が苦しくなり"
                           "家族が救急車を呼んだ。",
                           "本人の意向が確認できておらず、最期に家族が入院を選んだ")
          .id());
  consultations.push_back(
      ConsultationWithSeed(v1::SOURCE_TYPE_PATIENT_FAMILY, "長沼 一郎",
                           "父が食べられなくなり痩せてきた。このまま家で看られるのか不安。",
                           "衰弱の過程を家族が知らず不安が強い")
          .id());
  consultations.push_back(
      ConsultationWithSeed(
          v1::SOURCE_TYPE_MEDICAL_CARE_PROFESSIONAL, "訪問看護 平尾 ゆり",
          "看取り経験の少ないケアマネが不安になり、在宅医ではなく救急に連絡してしまった。",
          "ケアマネが看取りに不慣れで、救急要請につながる")
          .id());

  v1::ListCandidatesResponse candidates;
  ASSERT_TRUE(WaitFor(
      [&] {
        grpc::ClientContext ctx;
        return issues_->ListCandidates(&ctx, {}, &candidates).ok() &&
               candidates.candidates_size() == 1;
      },
      std::chrono::seconds(20)));
  const v1::IssueCandidate candidate = candidates.candidates(0);
  EXPECT_THAT(candidate.cluster_keys(), ElementsAre("tag:看取リ", "capability:end_of_life_care"));
  ASSERT_THAT(candidate.evidence(), SizeIs(3));
  for (int i = 0; i < 3; ++i) EXPECT_EQ(candidate.evidence(i).consultation_id(), consultations[i]);

  // --- The municipality accepts it as a regional issue (問1 テーマ).
  v1::AcceptCandidateRequest accept;
  accept.set_candidate_id(candidate.id());
  accept.set_expected_version(candidate.version());
  accept.set_theme(kTheme);
  v1::RegionalIssue issue = Ok(&IssuesStub::AcceptCandidate, accept);
  ASSERT_EQ(issue.current_step(), 1);
  ASSERT_THAT(issue.evidence(), SizeIs(3));  // the seeds, de-identified (ids only)

  // --- Step 1 目指す姿 (問2).
  issue = Update(issue, [](auto* u) { u->set_target_state(kTarget); });
  issue = Advance(issue);
  // --- Step 2 現状把握: what the seeds and a hearing show.
  issue = Update(issue, [&](auto* u) {
    u->set_current_state(
        "終末期に本人の意向に沿えず、家族が入院を選ぶことがある。相談から同じ趣旨のタネが3件挙がっ"
        "た。");
    u->set_replace_evidence(true);
    *u->mutable_evidence() = issue.evidence();
    auto* e = u->add_evidence();
    e->set_kind(v1::EVIDENCE_KIND_HEARING);
    e->set_summary("居宅介護支援事業所・訪問看護ステーションへのヒアリング (看取りの経験と不安)");
  });
  issue = Advance(issue);
  // --- Step 3 課題の選定: chosen among several.
  issue = Update(issue, [](auto* u) {
    u->set_replace_issue_options(true);
    u->add_issue_options("終末期に本人の意向に沿えず、家族が入院を選ぶことがある");
    u->add_issue_options("在宅医と救急の連携ルールがない");
    u->set_chosen_issue("終末期に本人の意向に沿えず、家族が入院を選ぶことがある");
  });
  issue = Advance(issue);
  // --- Step 4 要因分析 (問3): four causes, the main cause, the root cause.
  issue = Update(issue, [](auto* u) {
    u->set_replace_causes(true);
    for (int i = 0; i < 4; ++i) {
      auto* c = u->add_causes();
      c->set_text(kCauses[i]);
      c->set_main(i == 1);  // 衰弱すると家族が不安になる: what the root cause explains
    }
    u->set_root_cause(kRootCause);
  });
  issue = Advance(issue);
  ASSERT_EQ(issue.current_step(), 5);

  // --- Steps 5–6 対策 (問4) with the expected changes (問5), decided at the council.
  for (const auto& m : kMeasures) {
    v1::AddCountermeasureRequest add;
    add.set_id(issue.id());
    add.set_expected_version(issue.version());
    auto* c = add.mutable_countermeasure();
    c->set_label(m.label);
    for (auto a : m.audiences) c->add_audiences(a);
    c->set_content(m.content);
    c->set_owner("稲城市 高齢福祉課・在宅医療介護連携コーディネーター");
    *c->mutable_due() = common::DateFromNumber(20270331);
    issue = Ok(&IssuesStub::AddCountermeasure, add);
  }
  for (const auto& x : kExpected) {
    v1::AddExpectedChangeRequest add;
    add.set_id(issue.id());
    add.set_expected_version(issue.version());
    auto* e = add.mutable_expected_change();
    e->set_label(x.label);
    e->set_description(x.description);
    auto* ind = e->mutable_indicator();
    ind->set_name_ja(x.measure);
    for (auto m : x.methods) ind->add_methods(m);
    ind->set_frequency(v1::MEASUREMENT_FREQUENCY_YEARLY);
    ind->set_kind(v1::INDICATOR_KIND_SURVEY_SCORE);
    ind->set_direction(v1::DIRECTION_HIGHER_IS_BETTER);
    issue = Ok(&IssuesStub::AddExpectedChange, add);
  }
  const std::string minutes =
      "議事録: 医師会 稲城一郎 委員より、看取りのプロセスを家族に伝える資料が必要との発言。";
  {
    v1::RecordMeetingRequest r;
    auto* m = r.mutable_meeting();
    *m->mutable_date() = common::DateFromNumber(20261210);
    m->set_body(v1::MEETING_BODY_COUNCIL);
    m->set_title("令和8年度 第2回 在宅医療・介護連携推進協議会");
    m->add_agenda("看取りに関する地域課題と対策 (M1〜M3)");
    m->set_minutes(minutes);
    auto* op = m->add_opinions();
    op->set_summary("家族への説明はケアマネと訪問看護が一緒に行うのがよい");
    op->set_weight(v1::OPINION_WEIGHT_MAJORITY);
    op->add_from_roles(v1::AUDIENCE_ROLE_CARE_MANAGERS);
    op->add_from_roles(v1::AUDIENCE_ROLE_VISITING_NURSES);
    m->add_decisions("作業部会で説明資料と演習の案を作る (M3)");
    auto* act = m->add_action_items();
    act->set_task("説明資料の素案作成");
    act->set_owner("訪問看護ステーション連絡会");
    *act->mutable_due() = common::DateFromNumber(20270131);
    m->add_issue_ids(issue.id());
    // The minutes, the opinion, the decision and the action item's task and owner.
    for (auto& p : common::PersonalStrings(r)) personal_.push_back(std::move(p));
    Ok(&IssuesStub::RecordMeeting, r);
  }
  issue = Advance(issue);  // step 5 完了
  for (int i = 0; i < 2; ++i) {
    v1::UpdateCountermeasureRequest u;
    u.set_id(issue.id());
    u.set_expected_version(issue.version());
    u.set_countermeasure_id(issue.countermeasures(i).id());
    u.set_status(v1::COUNTERMEASURE_STATUS_IN_PROGRESS);
    issue = Ok(&IssuesStub::UpdateCountermeasure, u);
  }
  issue = Advance(issue);  // step 6 完了
  // --- Step 7 効果確認: the baselines.
  for (int i = 0; i < 3; ++i) {
    v1::UpdateExpectedChangeRequest u;
    u.set_id(issue.id());
    u.set_expected_version(issue.version());
    u.set_expected_change_id(issue.expected_changes(i).id());
    u.set_baseline(kExpected[i].baseline);
    u.set_baseline_period("2026-12");
    issue = Ok(&IssuesStub::UpdateExpectedChange, u);
  }
  issue = Advance(issue);
  EXPECT_EQ(issue.status(), v1::ISSUE_STATUS_EVALUATED);
  EXPECT_EQ(issue.transitions_size(), 7);

  // --- The worksheet.
  v1::ExportWorksheetRequest w;
  w.set_id(issue.id());
  w.set_format(v1::WORKSHEET_FORMAT_MARKDOWN);
  const std::string md = Ok(&IssuesStub::ExportWorksheet, w).content();
  std::cout << md << std::endl;
  w.set_format(v1::WORKSHEET_FORMAT_CSV);
  const v1::Worksheet csv = Ok(&IssuesStub::ExportWorksheet, w);
  EXPECT_EQ(csv.file_name(), "worksheet_" + issue.id() + ".csv");
  ASSERT_EQ(csv.content().rfind("\xEF\xBB\xBF", 0), 0u);

  for (const std::string& sheet : {md, csv.content()}) {
    EXPECT_THAT(sheet, HasSubstr(kTheme));
    EXPECT_THAT(sheet, HasSubstr(kTarget));
    for (const char* c : kCauses) EXPECT_THAT(sheet, HasSubstr(c));
    EXPECT_THAT(sheet, HasSubstr(kRootCause));
    EXPECT_THAT(sheet, HasSubstr("主たる原因"));
    for (const auto& m : kMeasures) {
      EXPECT_THAT(sheet, HasSubstr(m.label));
      EXPECT_THAT(sheet, HasSubstr(m.content));
    }
    EXPECT_THAT(sheet, HasSubstr("本人・家族"));
    EXPECT_THAT(sheet, HasSubstr("ケアマネジャー、訪問看護師、医師"));
    for (const auto& x : kExpected) {
      EXPECT_THAT(sheet, HasSubstr(x.label));
      EXPECT_THAT(sheet, HasSubstr(x.description));
      EXPECT_THAT(sheet, HasSubstr(x.measure));
    }
    EXPECT_THAT(sheet, HasSubstr("アンケート調査・テスト"));
    EXPECT_THAT(sheet, HasSubstr("ヒアリング・アンケート調査"));
  }
  // Markdown rows tie each item to its question and mark the main cause on cause 2.
  EXPECT_THAT(md, HasSubstr("| 原因2 | 衰弱すると家族が不安になる | ◎ 主たる原因 |"));
  EXPECT_THAT(md, HasSubstr("| 対策2 (M2) | ケアマネジャー、訪問看護師 | " +
                            std::string(kMeasures[1].content)));
  EXPECT_THAT(
      md,
      HasSubstr(
          "| 期待値1 (E1) | ケアマネ等が説明できるスキルがあがる | 説明スキルのアンケート、試験 | "
          "アンケート調査・テスト | 年度ごと | 2.4 (2026-12) |"));
  EXPECT_THAT(csv.content(), HasSubstr("問3,原因2,衰弱すると家族が不安になる,主たる原因"));

  // --- The full history is kept, oldest first.
  v1::GetIssueRequest get;
  get.set_id(issue.id());
  auto with_history = Ok(&IssuesStub::GetIssue, get);
  ASSERT_EQ(with_history.history_size(), issue.version());
  EXPECT_EQ(with_history.history(0).action(), "opened_from_candidate");
  EXPECT_EQ(with_history.history(with_history.history_size() - 1).action(), "step_completed");

  // --- What left the services: ids and codes, never the personal data.
  common::NatsOptions o;
  o.url = nats_->url();
  auto bus = std::move(*common::NatsBus::Connect(o));
  std::vector<StreamMessage> messages;
  ASSERT_TRUE(WaitFor([&] {
    messages = ReadStream(*bus, "RENKEI_EVENTS");
    int completed = 0;
    for (const auto& m : messages)
      completed += m.subject == "renkei.national.m132250.issue.issue_step_completed";
    return completed == 7;
  }));
  std::map<std::string, int> types;
  for (const auto& m : messages) {
    v1::EventEnvelope e;
    ASSERT_TRUE(e.ParseFromString(m.data));
    ++types[std::string(common::EventTypeOf(e))];
    for (const auto& p : personal_)
      EXPECT_EQ(m.data.find(p), std::string::npos) << m.subject << " holds " << p;
  }
  EXPECT_EQ(types["issue_seed_raised"], 3);
  EXPECT_EQ(types["issue_candidate_proposed"], 1);
  EXPECT_EQ(types["issue_opened"], 1);
  EXPECT_EQ(types["cause_recorded"], 1);
  EXPECT_EQ(types["countermeasure_planned"], 3);
  EXPECT_EQ(types["countermeasure_status_changed"], 2);
  EXPECT_EQ(types["expected_change_defined"], 6);  // defined, then with its baseline
  EXPECT_EQ(types["meeting_recorded"], 1);

  // Acceptance 2, at rest. Controls: a seed capability in intake, the meeting's title (kept in the
  // meeting's clear part, in no event) in issues.
  ASSERT_GE(personal_.size(), 14u);
  ExpectNothingPersonalAtRest(
      *inagi_, {"intake", "issues"}, personal_,
      {{"intake", "end_of_life_care"}, {"issues", "令和8年度 第2回 在宅医療・介護連携推進協議会"}});
  ExpectNothingPersonalInJetStreamFiles(*nats_, tmp_.Sub("nats"), personal_, consultations[0]);
}

}  // namespace
}  // namespace renkei::testing

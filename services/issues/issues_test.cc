#include "issues.h"

#include "domain_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "issue_rules.h"
#include "renkei/common/dates.h"
#include "renkei/common/ids.h"
#include "renkei/common/personal.h"
#include "renkei/common/validation.h"
#include "testing.h"

namespace renkei::issues {
namespace {

using renkei::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using testing::ViolatedFields;

constexpr int64_t kDay = 86400LL * 1000000;

// One service's store, outbox and domain, on a real RocksDB in a temp dir.
struct Instance : renkei::testing::DomainStore {
  Instance(const std::string& dir, const std::string& instance_id, const IssuesOptions& options,
           common::Clock* clock)
      : DomainStore(dir, IssueStore::ColumnFamilies()) {
    issues = std::make_unique<Issues>(store.get(), outbox.get(), sealer.get(),
                                      common::EventSource{instance_id, clock}, options, clock);
    EXPECT_TRUE(issues->Load().ok());
  }
  std::unique_ptr<Issues> issues;
};

class IssuesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_.SetMicros(common::TokyoStartOfDay(common::DateFromNumber(20261124)) +
                     10LL * 3600 * 1000000);
    IssuesOptions options;
    options.jurisdiction_code = "132250";
    options.clustering = {"132250", 3, 90};
    inagi_ = std::make_unique<Instance>(tmp_.Sub("inagi"), "m132250", options, &clock_);
  }

  Issues& issues() { return *inagi_->issues; }

  // An issue_seed_raised event as intake publishes it.
  v1::EventEnvelope Seed(const std::string& consultation_key, const std::vector<std::string>& tags,
                         const std::string& capability = "",
                         const std::string& municipality = "132250") {
    const std::string consultation = common::DeterministicId("con", consultation_key);
    auto e = common::NewEvent({"m132250", &clock_}, "consultation", consultation, 2,
                              v1::SHARE_LEVEL_PREFECTURE, municipality);
    auto* p = e.mutable_issue_seed_raised();
    p->set_seed_id(common::NewId("seed", clock_));
    p->set_consultation_id(consultation);
    p->set_municipality_code(municipality);
    for (auto& t : tags) p->add_tags(t);
    p->set_capability(capability);
    return e;
  }
  v1::EventEnvelope Gap(const std::string& consultation_key, const std::string& capability) {
    const std::string consultation = common::DeterministicId("con", consultation_key);
    auto e = common::NewEvent({"m132250", &clock_}, "consultation", consultation, 2,
                              v1::SHARE_LEVEL_PREFECTURE, "132250");
    auto* p = e.mutable_resource_gap_found();
    p->set_consultation_id(consultation);
    p->set_need_id(common::NewId("need", clock_));
    p->set_municipality_code("132250");
    p->set_capability(capability);
    return e;
  }
  // What the durable consumer does with a delivered event.
  void Deliver(const v1::EventEnvelope& e, Instance* to = nullptr) {
    Instance* target = to ? to : inagi_.get();
    common::CommandBatch cmd(target->store.get(), target->outbox.get());
    absl::Status s = e.has_issue_escalated() ? target->issues->ApplyEscalation(e, &cmd)
                                             : target->issues->ApplySeedEvent(e, &cmd);
    ASSERT_TRUE(s.ok()) << s;
    ASSERT_TRUE(cmd.Commit().ok());
  }
  std::vector<v1::IssueCandidate> Candidates(
      v1::CandidateStatus status = v1::CANDIDATE_STATUS_PROPOSED) {
    v1::ListCandidatesRequest r;
    r.set_status(status);
    auto out = issues().ListCandidates(r);
    EXPECT_TRUE(out.ok()) << out.status();
    return {out->candidates().begin(), out->candidates().end()};
  }
  int Count(const std::string& type) {
    auto types = inagi_->EventTypes();
    return static_cast<int>(std::count(types.begin(), types.end(), type));
  }

  v1::RegionalIssue Create(const std::string& theme =
                               "【看取り】終末期に本人の意向に沿えず、家族が入院を選ぶことがある") {
    v1::CreateIssueRequest r;
    r.set_theme(theme);
    r.add_theme_tags("tag:看取り");
    auto issue = issues().CreateIssue(r);
    EXPECT_TRUE(issue.ok()) << issue.status();
    return *issue;
  }
  absl::StatusOr<v1::RegionalIssue> Advance(const v1::RegionalIssue& i) {
    v1::AdvanceStepRequest r;
    r.set_id(i.id());
    r.set_expected_version(i.version());
    return issues().AdvanceStep(r);
  }
  // Takes an issue through steps 1–4 with valid content; returns it at step 5.
  v1::RegionalIssue AtStepFive() {
    v1::RegionalIssue i = Create();
    v1::UpdateIssueRequest u;
    u.set_id(i.id());
    u.set_expected_version(i.version());
    u.set_target_state(
        "終末期であっても、在宅サービスを使うことで本人の意向を尊重した在宅生活を継続できる");
    i = *issues().UpdateIssue(u);
    i = *Advance(i);
    u = {};
    u.set_id(i.id());
    u.set_expected_version(i.version());
    u.set_current_state("看取り期に家族が救急車を呼び、入院となる例がある");
    u.set_replace_evidence(true);
    auto* e = u.add_evidence();
    e->set_kind(v1::EVIDENCE_KIND_HEARING);
    e->set_summary("ケアマネへのヒアリング");
    i = *issues().UpdateIssue(u);
    i = *Advance(i);
    u = {};
    u.set_id(i.id());
    u.set_expected_version(i.version());
    u.set_chosen_issue("終末期に本人の意向に沿えない");
    i = *issues().UpdateIssue(u);
    i = *Advance(i);
    u = {};
    u.set_id(i.id());
    u.set_expected_version(i.version());
    u.set_replace_causes(true);
    u.add_causes()->set_text("本人の意向を具体的に確認できていない");
    auto* main = u.add_causes();
    main->set_text("衰弱すると家族が不安になる");
    main->set_main(true);
    u.set_root_cause(
        "専門職が看取るプロセスを十分説明しきれていないため、家族の不安が高まってしまっている");
    i = *issues().UpdateIssue(u);
    auto at5 = Advance(i);
    EXPECT_TRUE(at5.ok()) << at5.status();
    EXPECT_EQ(at5->current_step(), 5);
    return *at5;
  }
  v1::Countermeasure Measure(const std::vector<v1::AudienceRole>& audiences,
                             const std::string& content) {
    v1::Countermeasure c;
    for (auto a : audiences) c.add_audiences(a);
    c.set_content(content);
    return c;
  }
  v1::ExpectedChange Expect(const std::string& description, const std::string& measure) {
    v1::ExpectedChange e;
    e.set_description(description);
    e.mutable_indicator()->set_name_ja(measure);
    e.mutable_indicator()->add_methods(v1::MEASUREMENT_METHOD_SURVEY);
    e.mutable_indicator()->set_frequency(v1::MEASUREMENT_FREQUENCY_YEARLY);
    return e;
  }

  renkei::testing::TempDir tmp_;
  common::FakeClock clock_;
  std::unique_ptr<Instance> inagi_;
};

TEST_F(IssuesTest, ThreeConsultationsWithTheSameTagProposeOneCandidate) {
  Deliver(Seed("c1", {"看取り"}));
  clock_.AdvanceMicros(kDay);
  Deliver(Seed("c2", {"看取リ", "家族"}));  // katakana リ: the same tag after normalization
  EXPECT_THAT(Candidates(), IsEmpty());
  clock_.AdvanceMicros(kDay);
  Deliver(Seed("c3", {"看取り"}));
  auto proposed = Candidates();
  ASSERT_THAT(proposed, SizeIs(1));
  EXPECT_THAT(proposed[0].cluster_keys(), ElementsAre("tag:看取リ"));
  ASSERT_THAT(proposed[0].evidence(), SizeIs(3));
  EXPECT_EQ(proposed[0].evidence(0).consultation_id(), common::DeterministicId("con", "c1"));
  EXPECT_EQ(Count("issue_candidate_proposed"), 1);
  auto event = inagi_->Events().back();
  EXPECT_EQ(event.issue_candidate_proposed().evidence_count(), 3);
  EXPECT_EQ(event.share_level(), v1::SHARE_LEVEL_PREFECTURE);

  // A fourth consultation joins the candidate; a second seed of a counted consultation adds
  // nothing.
  Deliver(Seed("c4", {"看取り"}));
  Deliver(Seed("c1", {"看取り"}));
  proposed = Candidates();
  ASSERT_THAT(proposed, SizeIs(1));
  EXPECT_THAT(proposed[0].evidence(), SizeIs(4));
  EXPECT_EQ(Count("issue_candidate_proposed"), 1);
}

// Seeds of consultations asked by institutions elsewhere (a hospital in Fukaya, a clinic in
// Kawasaki) propose the candidate as wide-area with those municipalities; the municipality's own
// institutions do not.
TEST_F(IssuesTest, SeedsFromInstitutionsInOtherMunicipalitiesProposeAWideAreaCandidate) {
  auto from = [&](const std::string& key, const std::string& requester_municipality) {
    auto e = Seed(key, {"退院支援"});
    e.mutable_issue_seed_raised()->set_requester_municipality_code(requester_municipality);
    return e;
  };
  Deliver(from("h1", "112186"));
  Deliver(from("h2", "132250"));
  Deliver(Seed("h3", {"退院支援"}));
  auto proposed = Candidates();
  ASSERT_THAT(proposed, SizeIs(1));
  EXPECT_EQ(proposed[0].proposed_scope(), v1::ISSUE_SCOPE_WIDE_AREA);
  EXPECT_THAT(proposed[0].proposed_related_municipality_codes(), ElementsAre("112186"));
  Deliver(from("h4", "141305"));
  proposed = Candidates();
  ASSERT_THAT(proposed, SizeIs(1));
  EXPECT_THAT(proposed[0].proposed_related_municipality_codes(), ElementsAre("112186", "141305"));

  auto own_hospital = Seed("k1", {"看取り"});
  own_hospital.mutable_issue_seed_raised()->set_requester_municipality_code("132250");
  Deliver(own_hospital);
  Deliver(Seed("k2", {"看取り"}));
  Deliver(Seed("k3", {"看取り"}));
  auto local = Candidates();
  ASSERT_THAT(local, SizeIs(2));
  const auto& own = local[0].id() == proposed[0].id() ? local[1] : local[0];
  EXPECT_EQ(own.proposed_scope(), v1::ISSUE_SCOPE_MUNICIPAL);
  EXPECT_THAT(own.proposed_related_municipality_codes(), IsEmpty());
}

TEST_F(IssuesTest, TheSameEventTwiceCountsOnce) {
  auto e1 = Seed("c1", {"看取り"});
  auto e2 = Seed("c2", {"看取り"});
  Deliver(e1);
  Deliver(e2);
  Deliver(e1);
  Deliver(e2);
  EXPECT_THAT(Candidates(), IsEmpty());
  Deliver(Seed("c3", {"看取り"}));
  Deliver(e1);
  EXPECT_THAT(Candidates(), SizeIs(1));
  EXPECT_THAT(Candidates()[0].evidence(), SizeIs(3));
  EXPECT_EQ(Count("issue_candidate_proposed"), 1);
}

TEST_F(IssuesTest, KeysReachingTheThresholdTogetherShareOneCandidate) {
  // A gap and the automatic seed intake raises for it come from one consultation.
  for (const char* c : {"g1", "g2", "g3"}) {
    Deliver(Gap(c, "end_of_life_care"));
    Deliver(Seed(c, {"resource_gap", "end_of_life_care", "看取り"}, "end_of_life_care"));
  }
  auto proposed = Candidates();
  ASSERT_THAT(proposed, SizeIs(1));
  EXPECT_THAT(proposed[0].cluster_keys(),
              ElementsAre("capability:end_of_life_care", "tag:end_of_life_care", "tag:看取リ"));
  EXPECT_THAT(proposed[0].evidence(), SizeIs(3));
  EXPECT_EQ(Count("issue_candidate_proposed"), 1);
}

TEST_F(IssuesTest, SeedsOutsideTheWindowDoNotCount) {
  Deliver(Seed("c1", {"看取り"}));
  clock_.AdvanceMicros(60 * kDay);
  Deliver(Seed("c2", {"看取り"}));
  clock_.AdvanceMicros(31 * kDay);  // c1 is now 91 days old
  Deliver(Seed("c3", {"看取り"}));
  EXPECT_THAT(Candidates(), IsEmpty());
  Deliver(Seed("c4", {"看取り"}));
  ASSERT_THAT(Candidates(), SizeIs(1));
  EXPECT_THAT(Candidates()[0].evidence(), SizeIs(3));
}

TEST_F(IssuesTest, SeedsOfAnotherMunicipalityAreIgnored) {
  for (const char* c : {"c1", "c2", "c3"}) Deliver(Seed(c, {"看取り"}, "", "131016"));
  EXPECT_THAT(Candidates(), IsEmpty());
}

TEST_F(IssuesTest, DismissedCandidatesNeedNewSeedsToComeBack) {
  for (const char* c : {"c1", "c2", "c3"}) Deliver(Seed(c, {"看取り"}));
  auto cand = Candidates()[0];
  v1::DismissCandidateRequest d;
  d.set_candidate_id(cand.id());
  d.set_expected_version(cand.version());
  EXPECT_THAT(ViolatedFields(issues().DismissCandidate(d).status()), ElementsAre("reason"));
  d.set_reason("既存の取り組みで対応中");
  auto dismissed = issues().DismissCandidate(d);
  ASSERT_TRUE(dismissed.ok()) << dismissed.status();
  EXPECT_EQ(dismissed->status(), v1::CANDIDATE_STATUS_DISMISSED);
  EXPECT_THAT(Candidates(), IsEmpty());
  EXPECT_THAT(Candidates(v1::CANDIDATE_STATUS_DISMISSED), SizeIs(1));

  clock_.AdvanceMicros(kDay);
  Deliver(Seed("c4", {"看取り"}));
  Deliver(Seed("c5", {"看取り"}));
  EXPECT_THAT(Candidates(), IsEmpty());
  Deliver(Seed("c6", {"看取り"}));
  ASSERT_THAT(Candidates(), SizeIs(1));
  EXPECT_NE(Candidates()[0].id(), cand.id());
  EXPECT_THAT(Candidates()[0].evidence(), SizeIs(3));
}

TEST_F(IssuesTest, AcceptingACandidateOpensAnIssueWithTheSeedsAsEvidence) {
  for (const char* c : {"c1", "c2", "c3"}) Deliver(Seed(c, {"看取り"}));
  auto cand = Candidates()[0];
  v1::AcceptCandidateRequest a;
  a.set_candidate_id(cand.id());
  a.set_expected_version(cand.version());
  EXPECT_THAT(ViolatedFields(issues().AcceptCandidate(a).status()), ElementsAre("theme"));
  a.set_theme("【看取り】終末期に本人の意向に沿えず、家族が入院を選ぶことがある");
  auto issue = issues().AcceptCandidate(a);
  ASSERT_TRUE(issue.ok()) << issue.status();
  EXPECT_EQ(issue->current_step(), 1);
  EXPECT_EQ(issue->status(), v1::ISSUE_STATUS_OPEN);
  EXPECT_EQ(issue->candidate_id(), cand.id());
  EXPECT_THAT(issue->theme_tags(), ElementsAre("tag:看取リ"));
  ASSERT_THAT(issue->evidence(), SizeIs(3));
  EXPECT_EQ(issue->evidence(0).kind(), v1::EVIDENCE_KIND_SEED);
  EXPECT_THAT(issue->evidence(0).reference(), HasSubstr(common::DeterministicId("con", "c1")));
  auto accepted = Candidates(v1::CANDIDATE_STATUS_ACCEPTED);
  ASSERT_THAT(accepted, SizeIs(1));
  EXPECT_EQ(accepted[0].issue_id(), issue->id());
  EXPECT_EQ(Count("issue_opened"), 1);
  // Accepting twice is refused: the candidate's state, FAILED_PRECONDITION naming candidate_id.
  a.set_expected_version(accepted[0].version());
  const absl::Status twice = issues().AcceptCandidate(a).status();
  EXPECT_THAT(twice, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(std::string(twice.message()), ::testing::StartsWith("candidate_id: "));
}

TEST_F(IssuesTest, MergingFoldsEvidenceIntoAnotherCandidateOrAnIssue) {
  for (const char* c : {"a1", "a2", "a3"}) Deliver(Seed(c, {"看取り"}));
  clock_.AdvanceMicros(1000);
  for (const char* c : {"b1", "b2", "b3"}) Deliver(Seed(c, {"終末期"}));
  auto list = Candidates();
  ASSERT_THAT(list, SizeIs(2));
  const auto& newer = list[0];
  const auto& older = list[1];
  v1::MergeCandidateRequest m;
  m.set_candidate_id(newer.id());
  m.set_expected_version(newer.version());
  m.set_candidate_id_into(older.id());
  auto merged = issues().MergeCandidate(m);
  ASSERT_TRUE(merged.ok()) << merged.status();
  EXPECT_EQ(merged->status(), v1::CANDIDATE_STATUS_MERGED);
  EXPECT_EQ(merged->merged_into(), older.id());
  list = Candidates();
  ASSERT_THAT(list, SizeIs(1));
  EXPECT_THAT(list[0].cluster_keys(), ElementsAre("tag:看取リ", "tag:終末期"));
  EXPECT_THAT(list[0].evidence(), SizeIs(6));
  // The merged cluster keeps feeding the surviving candidate.
  Deliver(Seed("b4", {"終末期"}));
  EXPECT_THAT(Candidates()[0].evidence(), SizeIs(7));

  // Into an issue: its evidence grows, the history says so.
  v1::RegionalIssue issue = Create();
  auto cand = Candidates()[0];
  m = {};
  m.set_candidate_id(cand.id());
  m.set_expected_version(cand.version());
  m.set_issue_id_into(issue.id());
  ASSERT_TRUE(issues().MergeCandidate(m).ok());
  v1::GetIssueRequest g;
  g.set_id(issue.id());
  auto got = issues().GetIssue(g);
  ASSERT_TRUE(got.ok());
  EXPECT_THAT(got->issue().evidence(), SizeIs(7));
  EXPECT_EQ(got->history().rbegin()->action(), "candidate_merged");
  EXPECT_THAT(Candidates(), IsEmpty());
}

TEST_F(IssuesTest, StepsCompleteOnlyWithTheirContent) {
  v1::RegionalIssue i = Create();
  auto blocked = Advance(i);
  EXPECT_THAT(blocked.status(), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ViolatedFields(blocked.status()), ElementsAre("step"));
  EXPECT_THAT(std::string(blocked.status().message()), HasSubstr("目指す姿"));

  // Content of a later step is refused until the issue gets there.
  v1::UpdateIssueRequest early;
  early.set_id(i.id());
  early.set_expected_version(i.version());
  early.set_replace_causes(true);
  early.add_causes()->set_text("原因");
  auto s = issues().UpdateIssue(early);
  EXPECT_THAT(ViolatedFields(s.status()), ElementsAre("causes"));
  EXPECT_THAT(std::string(s.status().message()), HasSubstr("ステップ4"));

  v1::RegionalIssue at5 = AtStepFive();
  EXPECT_EQ(at5.transitions_size(), 4);
  v1::GetIssueRequest g;
  g.set_id(at5.id());
  auto with_history = issues().GetIssue(g);
  ASSERT_TRUE(with_history.ok());
  std::vector<std::string> actions;
  for (const auto& h : with_history->history()) actions.push_back(h.action());
  EXPECT_THAT(actions,
              ElementsAre("opened", "updated", "step_completed", "updated", "step_completed",
                          "updated", "step_completed", "updated", "step_completed"));
  EXPECT_EQ(with_history->history().rbegin()->version(), at5.version());
}

TEST_F(IssuesTest, NoCountermeasureBeforeTheMainCauseIsChosen) {
  v1::RegionalIssue i = Create();
  v1::AddCountermeasureRequest r;
  r.set_id(i.id());
  r.set_expected_version(i.version());
  *r.mutable_countermeasure() =
      Measure({v1::AUDIENCE_ROLE_PERSON_AND_FAMILY}, "看取るプロセスを知る");
  auto s = issues().AddCountermeasure(r);
  EXPECT_THAT(ViolatedFields(s.status()), ElementsAre("countermeasure"));
  EXPECT_THAT(std::string(s.status().message()), HasSubstr("主たる原因"));
}

TEST_F(IssuesTest, RejectedCommandsWriteNothing) {
  v1::RegionalIssue i = AtStepFive();
  const size_t events_before = inagi_->Events().size();
  auto expect_rejected = [&](const absl::StatusOr<v1::RegionalIssue>& result, absl::StatusCode code,
                             const std::vector<std::string>& fields) {
    EXPECT_THAT(result.status(), StatusIs(code)) << result.status();
    EXPECT_EQ(ViolatedFields(result.status()), fields) << result.status();
    v1::GetIssueRequest g;
    g.set_id(i.id());
    auto now = issues().GetIssue(g);
    ASSERT_TRUE(now.ok());
    EXPECT_EQ(now->issue().version(), i.version());
    EXPECT_EQ(now->history_size(), static_cast<int>(i.version()));
    EXPECT_EQ(inagi_->Events().size(), events_before);
  };

  // A fifth cause.
  v1::UpdateIssueRequest five;
  five.set_id(i.id());
  five.set_expected_version(i.version());
  five.set_replace_causes(true);
  for (int k = 0; k < 5; ++k) five.add_causes()->set_text("原因" + std::to_string(k + 1));
  five.mutable_causes(0)->set_main(true);
  expect_rejected(issues().UpdateIssue(five), absl::StatusCode::kInvalidArgument, {"causes"});

  // Two main causes.
  v1::UpdateIssueRequest two;
  two.set_id(i.id());
  two.set_expected_version(i.version());
  two.set_replace_causes(true);
  for (int k = 0; k < 2; ++k) {
    auto* c = two.add_causes();
    c->set_text("原因");
    c->set_main(true);
  }
  expect_rejected(issues().UpdateIssue(two), absl::StatusCode::kInvalidArgument, {"causes"});

  // No main cause any more, after step 4 was completed.
  v1::UpdateIssueRequest none;
  none.set_id(i.id());
  none.set_expected_version(i.version());
  none.set_replace_causes(true);
  none.add_causes()->set_text("原因");
  expect_rejected(issues().UpdateIssue(none), absl::StatusCode::kInvalidArgument, {"causes"});

  // An unknown audience role.
  v1::AddCountermeasureRequest unknown;
  unknown.set_id(i.id());
  unknown.set_expected_version(i.version());
  *unknown.mutable_countermeasure() = Measure({v1::AUDIENCE_ROLE_CARE_MANAGERS}, "説明スキル");
  unknown.mutable_countermeasure()->add_audiences(static_cast<v1::AudienceRole>(42));
  expect_rejected(issues().AddCountermeasure(unknown), absl::StatusCode::kInvalidArgument,
                  {"countermeasure.audiences[1]"});

  // A stale version.
  v1::UpdateIssueRequest stale;
  stale.set_id(i.id());
  stale.set_expected_version(i.version() - 1);
  stale.set_theme("別のテーマ");
  expect_rejected(issues().UpdateIssue(stale), absl::StatusCode::kAborted, {});

  // A step gate: step 5 needs a countermeasure.
  expect_rejected(Advance(i), absl::StatusCode::kInvalidArgument, {"step"});
}

TEST_F(IssuesTest, CountermeasuresAndExpectedChangesThroughEvaluationAndANewCycle) {
  v1::RegionalIssue i = AtStepFive();
  v1::AddCountermeasureRequest add;
  add.set_id(i.id());
  add.set_expected_version(i.version());
  *add.mutable_countermeasure() =
      Measure({v1::AUDIENCE_ROLE_PERSON_AND_FAMILY}, "看取るプロセスを知る");
  add.mutable_countermeasure()->set_training_id(common::NewId("trn", clock_));
  i = *issues().AddCountermeasure(add);
  EXPECT_EQ(i.countermeasures(0).label(), "M1");
  EXPECT_EQ(i.countermeasures(0).status(), v1::COUNTERMEASURE_STATUS_PLANNED);

  v1::AddExpectedChangeRequest exp;
  exp.set_id(i.id());
  exp.set_expected_version(i.version());
  *exp.mutable_expected_change() = Expect("家族が理解し、安心する", "家族の安心感");
  i = *issues().AddExpectedChange(exp);
  EXPECT_EQ(i.expected_changes(0).label(), "E1");
  EXPECT_EQ(i.expected_changes(0).indicator().code(), i.id() + ".E1");
  auto defined = inagi_->Events().back();
  ASSERT_TRUE(defined.has_expected_change_defined());
  EXPECT_EQ(defined.expected_change_defined().indicator().code(), i.id() + ".E1");

  i = *Advance(i);  // step 5 done
  EXPECT_EQ(i.current_step(), 6);
  EXPECT_THAT(ViolatedFields(Advance(i).status()), ElementsAre("step"));  // nothing in progress yet
  v1::UpdateCountermeasureRequest progress;
  progress.set_id(i.id());
  progress.set_expected_version(i.version());
  progress.set_countermeasure_id(i.countermeasures(0).id());
  progress.set_status(v1::COUNTERMEASURE_STATUS_IN_PROGRESS);
  i = *issues().UpdateCountermeasure(progress);
  EXPECT_EQ(inagi_->Events().back().countermeasure_status_changed().status(),
            v1::COUNTERMEASURE_STATUS_IN_PROGRESS);
  i = *Advance(i);  // step 6 done
  EXPECT_EQ(i.current_step(), 7);
  auto no_baseline = Advance(i);
  EXPECT_THAT(std::string(no_baseline.status().message()), HasSubstr("ベースライン"));

  v1::UpdateExpectedChangeRequest baseline;
  baseline.set_id(i.id());
  baseline.set_expected_version(i.version());
  baseline.set_expected_change_id(i.expected_changes(0).id());
  baseline.set_baseline(2.1);
  baseline.set_baseline_period("FY2026");
  i = *issues().UpdateExpectedChange(baseline);
  i = *Advance(i);
  EXPECT_EQ(i.status(), v1::ISSUE_STATUS_EVALUATED);
  EXPECT_THAT(ViolatedFields(Advance(i).status()), ElementsAre("status"));

  v1::StartNewCycleRequest next;
  next.set_id(i.id());
  next.set_expected_version(i.version());
  i = *issues().StartNewCycle(next);
  EXPECT_EQ(i.cycle(), 2);
  EXPECT_EQ(i.current_step(), 1);
  EXPECT_EQ(i.status(), v1::ISSUE_STATUS_OPEN);
  EXPECT_THAT(i.causes(), SizeIs(2));  // carried forward
  EXPECT_THAT(i.countermeasures(), SizeIs(1));
  EXPECT_EQ(Count("issue_step_completed"), 7);
  next.set_expected_version(i.version());
  EXPECT_THAT(ViolatedFields(issues().StartNewCycle(next).status()), ElementsAre("status"));
}

TEST_F(IssuesTest, GoingBackIsRecordedWithItsReason) {
  v1::RegionalIssue i = AtStepFive();
  v1::ReturnToStepRequest back;
  back.set_id(i.id());
  back.set_expected_version(i.version());
  back.set_step(5);
  EXPECT_THAT(ViolatedFields(issues().ReturnToStep(back).status()), ElementsAre("reason"));
  back.set_reason("協議会で要因の見直しを求められた");
  EXPECT_THAT(ViolatedFields(issues().ReturnToStep(back).status()), ElementsAre("step"));
  back.set_step(4);
  auto returned = issues().ReturnToStep(back);
  ASSERT_TRUE(returned.ok()) << returned.status();
  EXPECT_EQ(returned->current_step(), 4);
  const auto& t = *returned->transitions().rbegin();
  EXPECT_TRUE(t.back());
  EXPECT_EQ(t.from_step(), 5);
  EXPECT_EQ(t.to_step(), 4);
  EXPECT_EQ(t.reason(), "協議会で要因の見直しを求められた");
  // Step 4 is open again: its causes may be edited, but countermeasures wait.
  v1::AddCountermeasureRequest add;
  add.set_id(i.id());
  add.set_expected_version(returned->version());
  *add.mutable_countermeasure() = Measure({v1::AUDIENCE_ROLE_PERSON_AND_FAMILY}, "x");
  EXPECT_THAT(ViolatedFields(issues().AddCountermeasure(add).status()),
              ElementsAre("countermeasure"));
  v1::GetIssueRequest g;
  g.set_id(i.id());
  EXPECT_EQ(issues().GetIssue(g)->history().rbegin()->action(), "returned_to_step");
}

TEST_F(IssuesTest, ListFiltersAndPages) {
  std::vector<std::string> ids;
  for (int k = 0; k < 7; ++k) {
    clock_.AdvanceMicros(1000);
    ids.push_back(Create(k % 2 ? "退院支援の連携" : "看取りの意向確認").id());
  }
  v1::ListIssuesRequest r;
  r.set_text("リノ意向");  // katakana finds hiragana (看取りの意向確認)
  auto out = issues().ListIssues(r);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->total(), 4);
  EXPECT_EQ(out->issues(0).id(), ids[6]);  // most recently updated first

  r = {};
  r.set_page_size(3);
  std::vector<std::string> seen;
  do {
    out = issues().ListIssues(r);
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_EQ(out->total(), 7);
    for (const auto& s : out->issues()) seen.push_back(s.id());
    r.set_page_token(out->next_page_token());
  } while (!r.page_token().empty());
  EXPECT_EQ(seen, std::vector<std::string>(ids.rbegin(), ids.rend()));

  // An update moves an issue to the front; filters by step and tag.
  v1::UpdateIssueRequest u;
  u.set_id(ids[0]);
  u.set_expected_version(1);
  u.set_target_state("目指す姿");
  clock_.AdvanceMicros(1000);
  ASSERT_TRUE(issues().UpdateIssue(u).ok());
  r = {};
  r.set_theme_tag("tag:看取り");
  r.set_step(1);
  out = issues().ListIssues(r);
  EXPECT_EQ(out->total(), 7);
  EXPECT_EQ(out->issues(0).id(), ids[0]);
  r.set_step(2);
  EXPECT_EQ(issues().ListIssues(r)->total(), 0);

  v1::ListIssuesRequest bad;
  bad.set_step(9);
  EXPECT_THAT(ViolatedFields(issues().ListIssues(bad).status()), ElementsAre("step"));
  bad.set_step(0);
  bad.set_page_token("!!");
  EXPECT_THAT(ViolatedFields(issues().ListIssues(bad).status()), ElementsAre("page_token"));
  bad.set_page_token("AAAA");
  EXPECT_THAT(ViolatedFields(issues().ListIssues(bad).status()), ElementsAre("page_token"));
}

TEST_F(IssuesTest, IndexIsRebuiltFromTheStore) {
  Create();
  Create("退院支援");
  IssuesOptions options;
  options.jurisdiction_code = "132250";
  Issues reloaded(inagi_->store.get(), inagi_->outbox.get(), inagi_->sealer.get(),
                  {"m132250", &clock_}, options, &clock_);
  EXPECT_EQ(reloaded.ListIssues({})->total(), 0);
  ASSERT_TRUE(reloaded.Load().ok());
  EXPECT_EQ(reloaded.ListIssues({})->total(), 2);
}

TEST_F(IssuesTest, AWideAreaIssueEscalatesToALinkedPrefectureIssue) {
  IssuesOptions pref_options;
  pref_options.jurisdiction_code = "130001";
  pref_options.prefecture = true;
  Instance tokyo(tmp_.Sub("tokyo"), "p13", pref_options, &clock_);

  v1::RegionalIssue i = Create("隣接市の病院からの退院支援");
  v1::EscalateIssueRequest esc;
  esc.set_id(i.id());
  esc.set_expected_version(i.version());
  EXPECT_THAT(ViolatedFields(issues().EscalateIssue(esc).status()), ElementsAre("scope"));

  v1::UpdateIssueRequest u;
  u.set_id(i.id());
  u.set_expected_version(i.version());
  u.set_scope(v1::ISSUE_SCOPE_WIDE_AREA);
  EXPECT_THAT(ViolatedFields(issues().UpdateIssue(u).status()),
              ElementsAre("related_municipality_codes"));
  u.set_replace_related_municipalities(true);
  u.add_related_municipality_codes("132098");  // 町田市
  u.add_related_municipality_codes("132063");  // 府中市
  i = *issues().UpdateIssue(u);
  esc.set_expected_version(i.version());
  esc.set_note("町田市・府中市の病院に入院した市民の退院支援");
  i = *issues().EscalateIssue(esc);
  auto event = inagi_->Events().back();
  ASSERT_TRUE(event.has_issue_escalated());
  EXPECT_EQ(event.issue_escalated().prefecture_code(), "13");
  EXPECT_EQ(common::EventSubject(event), "renkei.pref.m132250.issue.issue_escalated");

  Deliver(event, &tokyo);
  auto list = tokyo.issues->ListIssues({});
  ASSERT_EQ(list->total(), 1);
  v1::GetIssueRequest g;
  g.set_id(list->issues(0).id());
  auto linked = tokyo.issues->GetIssue(g);
  ASSERT_TRUE(linked.ok());
  EXPECT_EQ(linked->issue().municipality_code(), "130001");
  EXPECT_EQ(linked->issue().scope(), v1::ISSUE_SCOPE_WIDE_AREA);
  EXPECT_EQ(linked->issue().origin_instance(), "m132250");
  EXPECT_EQ(linked->issue().origin_issue_id(), i.id());
  EXPECT_EQ(linked->issue().origin_municipality_code(), "132250");
  EXPECT_EQ(linked->issue().theme(), "隣接市の病院からの退院支援");
  EXPECT_THAT(linked->issue().related_municipality_codes(),
              ElementsAre("132250", "132098", "132063"));
  EXPECT_THAT(linked->history(0).detail(), HasSubstr("稲城市"));
  EXPECT_THAT(tokyo.EventTypes(), ElementsAre("issue_opened"));

  // Escalating again updates the same linked issue.
  esc.set_expected_version(i.version());
  esc.set_note("再検討のお願い");
  i = *issues().EscalateIssue(esc);
  Deliver(inagi_->Events().back(), &tokyo);
  EXPECT_EQ(tokyo.issues->ListIssues({})->total(), 1);
  linked = tokyo.issues->GetIssue(g);
  EXPECT_EQ(linked->issue().version(), 2);
  EXPECT_THAT(linked->history(1).detail(), HasSubstr("再検討のお願い"));

  // Escalations to another prefecture are not this one's.
  auto other = event;
  other.set_id(common::NewId("evt", clock_));
  other.mutable_issue_escalated()->set_prefecture_code("14");
  other.mutable_issue_escalated()->set_issue_id(common::NewId("iss", clock_));
  Deliver(other, &tokyo);
  EXPECT_EQ(tokyo.issues->ListIssues({})->total(), 1);
}

TEST_F(IssuesTest, MeetingsKeepMinutesHereAndPublishOnlyIds) {
  v1::RegionalIssue i = Create();
  v1::RecordMeetingRequest r;
  auto* m = r.mutable_meeting();
  *m->mutable_date() = common::DateFromNumber(20261201);
  m->set_body(v1::MEETING_BODY_COUNCIL);
  m->set_title("第3回 在宅医療・介護連携推進協議会");
  m->add_agenda("看取りの課題について");
  m->set_pre_meeting_notes("事前打合せ: 医師会長 稲城一郎 氏と確認");
  m->set_minutes("議事録: 稲城一郎 氏より、訪問診療医で対応可能との意見");
  auto* op = m->add_opinions();
  op->set_summary("一般の訪問診療医でパーキンソン病に対応できる");
  op->set_weight(v1::OPINION_WEIGHT_MAJORITY);
  op->add_from_roles(v1::AUDIENCE_ROLE_PHYSICIANS);
  op->add_from_roles(v1::AUDIENCE_ROLE_VISITING_NURSES);
  m->add_decisions("作業部会で説明資料を作成する");
  auto* act = m->add_action_items();
  act->set_task("説明資料の案を作る");
  act->set_owner("訪問看護ステーション 管理者 多摩花子");
  *act->mutable_due() = common::DateFromNumber(20270131);
  m->add_issue_ids(i.id());
  m->add_issue_ids(common::NewId("iss", clock_));
  EXPECT_THAT(ViolatedFields(issues().RecordMeeting(r).status()),
              ElementsAre("meeting.issue_ids[1]"));
  m->mutable_issue_ids()->RemoveLast();
  auto recorded = issues().RecordMeeting(r);
  ASSERT_TRUE(recorded.ok()) << recorded.status();
  EXPECT_EQ(recorded->municipality_code(), "132250");
  EXPECT_TRUE(common::IsWellFormedId("act", recorded->action_items(0).id()));

  auto event = inagi_->Events().back();
  ASSERT_TRUE(event.has_meeting_recorded());
  EXPECT_THAT(event.meeting_recorded().issue_ids(), ElementsAre(i.id()));
  const std::string wire = event.SerializeAsString();
  for (const auto& s : common::PersonalStrings(*recorded)) {
    EXPECT_EQ(wire.find(s), std::string::npos) << s;
  }

  v1::ListMeetingsRequest list;
  list.set_issue_id(i.id());
  EXPECT_THAT(issues().ListMeetings(list)->meetings(), SizeIs(1));
  list.set_issue_id(common::NewId("iss", clock_));
  EXPECT_THAT(issues().ListMeetings(list)->meetings(), IsEmpty());

  v1::UpdateMeetingRequest u;
  *u.mutable_meeting() = *recorded;
  u.mutable_meeting()->mutable_action_items(0)->set_done(true);
  auto updated = issues().UpdateMeeting(u);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->version(), 2);
  EXPECT_THAT(issues().UpdateMeeting(u).status(), StatusIs(absl::StatusCode::kAborted));

  // At rest: read back exactly as written; no personal string in any key or value of the store,
  // while the meeting's title (not personal) is there as written.
  v1::GetMeetingRequest get;
  get.set_id(recorded->id());
  auto read = issues().GetMeeting(get);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->SerializeAsString(), updated->SerializeAsString());
  for (const auto& s : common::PersonalStrings(*updated)) {
    EXPECT_THAT(renkei::testing::StoreEntriesContaining(*inagi_->store, s), IsEmpty()) << s;
  }
  EXPECT_THAT(
      renkei::testing::StoreEntriesContaining(*inagi_->store, "第3回 在宅医療・介護連携推進協議会"),
      ::testing::Contains(::testing::StartsWith("meetings: ")));
}

}  // namespace
}  // namespace renkei::issues

#include "intake.h"

#include <map>

#include "domain_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "renkei/common/dates.h"
#include "renkei/common/ids.h"
#include "renkei/common/personal.h"
#include "renkei/v1/storage.pb.h"
#include "retention.h"
#include "testing.h"

namespace renkei::intake {
namespace {

using renkei::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// A directory with a fixed set of resources; distances are given per resource.
class FakeFinder : public ResourceFinder {
 public:
  struct Entry {
    v1::Resource resource;
    double km;
  };
  void Add(const std::string& key, const std::string& name, const std::string& municipality,
           double km, const std::vector<std::string>& caps,
           const std::vector<std::string>& serves = {}) {
    Entry e;
    e.resource.set_id(common::DeterministicId("res", key));
    e.resource.set_name(name);
    e.resource.set_kind(v1::RESOURCE_KIND_CLINIC);
    e.resource.set_municipality_code(municipality);
    for (auto& c : caps) e.resource.add_capabilities(c);
    for (auto& s : serves) e.resource.add_service_area(s);
    e.km = km;
    entries_.push_back(e);
  }
  absl::StatusOr<v1::SearchResourcesResponse> Search(const v1::SearchResourcesRequest& q) override {
    ++searches;
    if (down) return absl::UnavailableError("directory down");
    std::vector<const Entry*> hits;
    for (const auto& e : entries_) {
      bool ok = true;
      for (const auto& c : q.capabilities()) {
        ok = ok &&
             std::count(e.resource.capabilities().begin(), e.resource.capabilities().end(), c) > 0;
      }
      if (!q.municipality_code().empty()) {
        bool serves = std::count(e.resource.service_area().begin(), e.resource.service_area().end(),
                                 q.municipality_code()) > 0;
        ok = ok && (e.resource.municipality_code() == q.municipality_code() || serves);
      }
      if (ok) hits.push_back(&e);
    }
    std::sort(hits.begin(), hits.end(),
              [](const Entry* a, const Entry* b) { return a->km < b->km; });
    v1::SearchResourcesResponse out;
    out.set_total_matches(static_cast<int>(hits.size()));
    for (size_t i = 0; i < hits.size() && static_cast<int>(i) < q.page_size(); ++i) {
      auto* h = out.add_hits();
      *h->mutable_resource() = hits[i]->resource;
      h->set_distance_km(hits[i]->km);
      h->set_relation(q.municipality_code().empty() ? v1::AREA_RELATION_UNSPECIFIED
                      : hits[i]->resource.municipality_code() == q.municipality_code()
                          ? v1::AREA_RELATION_LOCATED_IN
                          : v1::AREA_RELATION_SERVES);
    }
    return out;
  }
  // Supply as the directory counts it: located in, or serving only (every capability).
  absl::StatusOr<v1::GapReport> GapReport(const v1::GetGapReportRequest& q) override {
    if (down) return absl::UnavailableError("directory down");
    v1::GapReport out;
    for (const auto& combination : q.combinations()) {
      auto* cov = out.add_combinations();
      for (const auto& e : entries_) {
        bool all = true;
        for (const auto& c : combination.capabilities()) {
          all = all && std::count(e.resource.capabilities().begin(),
                                  e.resource.capabilities().end(), c) > 0;
        }
        if (!all) continue;
        if (e.resource.municipality_code() == q.municipality_code()) {
          cov->set_located_in(cov->located_in() + 1);
        } else if (std::count(e.resource.service_area().begin(), e.resource.service_area().end(),
                              q.municipality_code()) > 0) {
          cov->set_serving(cov->serving() + 1);
        } else if (!cov->has_nearest_outside() || e.km < cov->nearest_outside().distance_km()) {
          cov->mutable_nearest_outside()->set_name(e.resource.name());
          cov->mutable_nearest_outside()->set_distance_km(e.km);
        }
      }
      cov->set_gap(cov->located_in() + cov->serving() == 0);
      if (!cov->gap()) cov->clear_nearest_outside();
    }
    return out;
  }
  absl::StatusOr<v1::Resource> Get(const std::string& id) override {
    if (down) return absl::UnavailableError("directory down");
    for (const auto& e : entries_) {
      if (e.resource.id() == id) return e.resource;
    }
    return absl::NotFoundError("no such resource");
  }
  std::string IdOf(const std::string& key) { return common::DeterministicId("res", key); }

  bool down = false;
  int searches = 0;

 private:
  std::vector<Entry> entries_;
};

class IntakeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_.SetMicros(common::TokyoStartOfDay(common::DateFromNumber(20261124)) +
                     10LL * 3600 * 1000000);
    IntakeOptions options;
    options.municipality_code = "132250";
    intake_ = std::make_unique<Intake>(
        domain_.store.get(), domain_.outbox.get(), domain_.sealer.get(),
        common::EventSource{"m132250", &clock_}, &vocab_, &finder_, options, &clock_);
    finder_.Add("inagi-home", "稲城在宅療養クリニック", "132250", 1.0, {"home_visit_medical"});
    finder_.Add("inagi-neuro", "元気クリニック内科・脳神経内科", "132250", 0.8,
                {"neurology", "parkinsons"});
    finder_.Add("kashiwa", "てんかんと脳神経内科の訪問クリニック柏", "122173", 49.7,
                {"home_visit_medical", "neurology", "parkinsons"});
    finder_.Add("osaka", "くわた脳神経内科・在宅クリニック", "271217", 378.9,
                {"home_visit_medical", "neurology", "parkinsons"});
  }

  v1::CreateConsultationRequest WorkedExample() {
    v1::CreateConsultationRequest r;
    r.set_channel(v1::CHANNEL_PHONE);
    r.set_source_type(v1::SOURCE_TYPE_CARE_MANAGER_SUPPORT_CENTER);
    r.mutable_requester()->set_name("ケアマネ山田花子");
    r.mutable_requester()->set_organization("いなぎ居宅介護支援事業所");
    r.mutable_requester()->set_contact("042-377-0000");
    r.mutable_person()->set_name("稲城太郎");
    *r.mutable_person()->mutable_birth_date() = common::DateFromNumber(19470515);
    r.mutable_person()->set_address("稲城市東長沼9-9-9");
    r.mutable_person()->set_care_level(v1::CARE_LEVEL_CARE_3);
    r.mutable_person()->add_conditions(v1::CONDITION_CATEGORY_NEUROLOGICAL);
    r.set_narrative("パーキンソン病で通院が困難。専門の訪問診療医を希望。");
    auto* need = r.add_needs();
    need->set_capability("parkinsons");
    need->add_also_requires("home_visit_medical");
    return r;
  }

  // The worked example through every command that stores personal text, ending with `end`
  // (CLOSED or UNRESOLVED, with a reason) unless it is UNSPECIFIED.
  v1::Consultation FullFlow(v1::ConsultationStatus end) {
    auto c = intake_->Create(WorkedExample());
    EXPECT_TRUE(c.ok()) << c.status();
    v1::MatchResourcesRequest m;
    m.set_id(c->id());
    m.set_expected_version(c->version());
    auto matched = intake_->Match(m);
    EXPECT_TRUE(matched.ok()) << matched.status();
    v1::Consultation cur = matched->consultation();
    v1::ReferRequest ref;
    ref.set_id(cur.id());
    ref.set_expected_version(cur.version());
    ref.set_need_id(cur.needs(0).id());
    ref.set_resource_id(finder_.IdOf("kashiwa"));
    const int64_t week = 7LL * 86400 * 1000000;
    *ref.mutable_response_due() = common::TokyoDate(clock_.NowMicros() + week);
    cur = *intake_->Refer(ref);
    v1::RecordReferralOutcomeRequest out;
    out.set_id(cur.id());
    out.set_expected_version(cur.version());
    out.set_referral_id(cur.referrals(0).id());
    out.set_outcome(v1::REFERRAL_OUTCOME_DECLINED);
    out.set_decline_reason(v1::DECLINE_REASON_TOO_FAR);
    out.set_note("約50kmあり訪問範囲外（山田様へ電話で回答）");
    cur = *intake_->RecordOutcome(out);
    v1::AddFollowUpRequest f;
    f.set_id(cur.id());
    f.set_expected_version(cur.version());
    f.set_task("ケアマネジャーに一般の訪問診療医で対応できるか確認する");
    f.set_owner("コーディネーター 佐藤");
    *f.mutable_due() = common::TokyoDate(clock_.NowMicros() + 2 * week);
    cur = *intake_->AddFollowUp(f);
    v1::RaiseIssueSeedRequest seed;
    seed.set_id(cur.id());
    seed.set_expected_version(cur.version());
    seed.set_theme("在宅医と専門医が相談しやすい仕組みがない");
    seed.add_tags("専門医連携");
    seed.set_capability("parkinsons");
    cur = *intake_->RaiseSeed(seed);
    if (end != v1::CONSULTATION_STATUS_UNSPECIFIED) {
      v1::ChangeStatusRequest close;
      close.set_id(cur.id());
      close.set_expected_version(cur.version());
      close.set_status(end);
      close.set_reason("一般の訪問診療医で対応（長男 稲城次郎さんの了承済み）");
      auto closed = intake_->ChangeStatus(close);
      EXPECT_TRUE(closed.ok()) << closed.status();
      cur = *closed;
    }
    return cur;
  }

  renkei::testing::TempDir tmp_;
  // Uncompressed: the raw scans of the store's files below must see every byte.
  renkei::testing::DomainStore domain_{tmp_.Sub("db"), ConsultationStore::ColumnFamilies(),
                                       /*compress=*/false};
  common::FakeClock clock_;
  common::CapabilityVocabulary vocab_;
  FakeFinder finder_;
  std::unique_ptr<Intake> intake_;
};

TEST_F(IntakeTest, CreateStoresPersonalDataButEventsCarryOnlyDeidentifiedAttributes) {
  auto c = intake_->Create(WorkedExample());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->status(), v1::CONSULTATION_STATUS_RECEIVED);
  EXPECT_EQ(c->age_band(), v1::AGE_BAND_75_84);
  EXPECT_EQ(c->person().name(), "稲城太郎");
  EXPECT_EQ(c->version(), 1);
  EXPECT_THAT(domain_.EventTypes(), ElementsAre("consultation_received", "need_recorded"));
  auto events = domain_.Events();
  const auto& received = events[0].consultation_received();
  EXPECT_EQ(received.age_band(), v1::AGE_BAND_75_84);
  EXPECT_EQ(received.care_level(), v1::CARE_LEVEL_CARE_3);
  EXPECT_EQ(events[0].share_level(), v1::SHARE_LEVEL_PREFECTURE);
  for (const auto& e : events) {
    std::string bytes = e.SerializeAsString();
    for (const auto& personal : common::PersonalStrings(*c)) {
      EXPECT_EQ(bytes.find(personal), std::string::npos) << personal;
    }
  }
}

// A hospital's discharge unit in Fukaya asking Kumagaya-like Inagi: the requester linked to its
// directory entry. The institution's name and municipality come from the directory (whatever the
// caller sent for them), and its municipality travels in the de-identified events; an unknown or
// malformed id is refused naming the field, with nothing written.
TEST_F(IntakeTest, ARequesterLinkedToAnInstitutionCarriesItsMunicipalityIntoTheEvents) {
  finder_.Add("fukaya-hospital", "深谷赤十字病院 地域医療連携課", "112186", 60.0, {});
  auto r = WorkedExample();
  r.mutable_requester()->set_institution_resource_id(finder_.IdOf("fukaya-hospital"));
  r.mutable_requester()->set_institution_name("偽の名前");
  r.mutable_requester()->set_institution_municipality_code("132250");
  auto c = intake_->Create(r);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->requester().institution_name(), "深谷赤十字病院 地域医療連携課");
  EXPECT_EQ(c->requester().institution_municipality_code(), "112186");
  EXPECT_EQ(domain_.Events()[0].consultation_received().requester_municipality_code(), "112186");

  v1::RaiseIssueSeedRequest seed;
  seed.set_id(c->id());
  seed.set_expected_version(c->version());
  seed.set_theme("退院時の在宅医への引き継ぎ");
  seed.add_tags("退院支援");
  ASSERT_TRUE(intake_->RaiseSeed(seed).ok());
  const auto events = domain_.Events();
  EXPECT_EQ(events.back().issue_seed_raised().requester_municipality_code(), "112186");

  const size_t written = domain_.EventCount();
  for (const std::string& bad : {finder_.IdOf("nowhere"), std::string("病院")}) {
    auto again = WorkedExample();
    again.mutable_requester()->set_institution_resource_id(bad);
    auto refused = intake_->Create(again);
    EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(refused.status().message(), HasSubstr("requester.institution_resource_id"))
        << refused.status();
  }
  finder_.down = true;
  auto unavailable = intake_->Create(r);
  EXPECT_EQ(unavailable.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(domain_.EventCount(), written);
}

TEST_F(IntakeTest, MatchingFlagsTheGapProposesNearestOutsideAndRaisesASeed) {
  auto c = intake_->Create(WorkedExample());
  ASSERT_TRUE(c.ok());
  v1::MatchResourcesRequest m;
  m.set_id(c->id());
  m.set_expected_version(1);
  auto matched = intake_->Match(m);
  ASSERT_TRUE(matched.ok()) << matched.status();
  const auto& con = matched->consultation();
  const auto& need = con.needs(0);
  EXPECT_TRUE(need.resource_gap());
  ASSERT_EQ(need.candidates_size(), 2);
  EXPECT_EQ(need.candidates(0).name(), "てんかんと脳神経内科の訪問クリニック柏");
  EXPECT_EQ(need.candidates(0).relation(), v1::AREA_RELATION_OUTSIDE);
  EXPECT_DOUBLE_EQ(need.candidates(0).distance_km(), 49.7);
  EXPECT_EQ(con.status(), v1::CONSULTATION_STATUS_MATCHED);
  ASSERT_EQ(con.seeds_size(), 1);
  EXPECT_TRUE(con.seeds(0).automatic());
  EXPECT_EQ(con.seeds(0).capability(), "parkinsons");
  // The combination asked for: Parkinson's with home visits (Inagi has a Parkinson's clinic).
  EXPECT_EQ(con.seeds(0).theme(), "稲城市内に「パーキンソン病＋訪問診療」に対応できる資源がない");
  EXPECT_THAT(domain_.EventTypes(), ElementsAre("consultation_received", "need_recorded",
                                                "resource_gap_found", "issue_seed_raised"));

  // Matching again does not raise the same automatic seed twice.
  m.set_expected_version(con.version());
  auto again = intake_->Match(m);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->consultation().seeds_size(), 1);
}

TEST_F(IntakeTest, InsideCandidatesComeFirstWhenThereAreSome) {
  v1::CreateConsultationRequest r = WorkedExample();
  r.mutable_needs(0)->clear_also_requires();  // Parkinson's alone: a neurologist in Inagi exists
  auto c = intake_->Create(r);
  ASSERT_TRUE(c.ok());
  v1::MatchResourcesRequest m;
  m.set_id(c->id());
  m.set_expected_version(1);
  auto matched = intake_->Match(m);
  ASSERT_TRUE(matched.ok());
  const auto& need = matched->consultation().needs(0);
  EXPECT_FALSE(need.resource_gap());
  ASSERT_GE(need.candidates_size(), 2);
  EXPECT_EQ(need.candidates(0).relation(), v1::AREA_RELATION_LOCATED_IN);
  EXPECT_EQ(need.candidates(1).relation(), v1::AREA_RELATION_OUTSIDE);
  EXPECT_EQ(matched->consultation().seeds_size(), 0);
}

TEST_F(IntakeTest, StaleVersionsAndInvalidTransitionsAreRejectedWithoutWriting) {
  auto c = intake_->Create(WorkedExample());
  ASSERT_TRUE(c.ok());
  const size_t events_before = domain_.Events().size();
  v1::ChangeStatusRequest s;
  s.set_id(c->id());
  s.set_expected_version(1);
  s.set_status(v1::CONSULTATION_STATUS_CLOSED);  // received -> closed is not allowed
  auto r = intake_->ChangeStatus(s);
  EXPECT_THAT(r.status(), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(common::FieldViolationsOf(r.status())[0].first, "status");
  s.set_status(v1::CONSULTATION_STATUS_MATCHED);  // allowed, but no candidates yet
  EXPECT_THAT(intake_->ChangeStatus(s).status(), StatusIs(absl::StatusCode::kInvalidArgument));
  s.set_status(v1::CONSULTATION_STATUS_ASSESSING);
  s.set_expected_version(5);
  EXPECT_THAT(intake_->ChangeStatus(s).status(), StatusIs(absl::StatusCode::kAborted));
  EXPECT_EQ(domain_.Events().size(), events_before);
  EXPECT_EQ(intake_->Get(c->id())->version(), 1);

  s.set_expected_version(1);
  auto assessing = intake_->ChangeStatus(s);
  ASSERT_TRUE(assessing.ok());
  EXPECT_EQ(assessing->history_size(), 2);
  s.set_expected_version(2);
  s.set_status(v1::CONSULTATION_STATUS_UNRESOLVED);
  ASSERT_TRUE(intake_->ChangeStatus(s).ok());
  EXPECT_EQ(domain_.EventTypes().back(), "consultation_closed");
  // An ended consultation takes no new needs.
  v1::AddNeedRequest n;
  n.set_id(c->id());
  n.set_expected_version(3);
  n.mutable_need()->set_capability("dementia");
  // The state of the consultation refuses it, not the request: FAILED_PRECONDITION.
  EXPECT_THAT(intake_->AddNeed(n).status(), StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST_F(IntakeTest, ReferralsNeedAResourceTheDirectoryKnowsAndOutcomesFollowTheRules) {
  auto c = intake_->Create(WorkedExample());
  ASSERT_TRUE(c.ok());
  v1::ReferRequest ref;
  ref.set_id(c->id());
  ref.set_expected_version(1);
  ref.set_need_id(c->needs(0).id());
  ref.set_resource_id("res_01JZZZZZZZZZZZZZZZZZZZZZZZ");
  *ref.mutable_response_due() = common::DateFromNumber(20261201);
  auto missing = intake_->Refer(ref);
  ASSERT_THAT(missing.status(), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(common::FieldViolationsOf(missing.status())[0].first, "resource_id");

  finder_.down = true;
  ref.set_resource_id(finder_.IdOf("kashiwa"));
  EXPECT_THAT(intake_->Refer(ref).status(), StatusIs(absl::StatusCode::kUnavailable));
  finder_.down = false;

  auto referred = intake_->Refer(ref);
  ASSERT_TRUE(referred.ok()) << referred.status();
  EXPECT_EQ(referred->status(), v1::CONSULTATION_STATUS_REFERRED);
  ASSERT_EQ(referred->referrals_size(), 1);
  EXPECT_TRUE(referred->referrals(0).outside_municipality());

  v1::RecordReferralOutcomeRequest out;
  out.set_id(c->id());
  out.set_expected_version(2);
  out.set_referral_id(referred->referrals(0).id());
  out.set_outcome(v1::REFERRAL_OUTCOME_NO_RESPONSE);  // not due yet (due 12-01, today 11-24)
  EXPECT_EQ(common::FieldViolationsOf(intake_->RecordOutcome(out).status())[0].first, "outcome");
  out.set_outcome(v1::REFERRAL_OUTCOME_DECLINED);  // declined needs a reason
  EXPECT_EQ(common::FieldViolationsOf(intake_->RecordOutcome(out).status())[0].first,
            "decline_reason");
  out.set_decline_reason(v1::DECLINE_REASON_TOO_FAR);
  out.set_note("距離が遠く訪問できないとのこと");
  auto declined = intake_->RecordOutcome(out);
  ASSERT_TRUE(declined.ok()) << declined.status();
  EXPECT_EQ(declined->referrals(0).outcome(), v1::REFERRAL_OUTCOME_DECLINED);
  out.set_expected_version(3);
  EXPECT_THAT(intake_->RecordOutcome(out).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST_F(IntakeTest, FollowUpsBecomeOverdueAndDisappearWhenDone) {
  auto c = intake_->Create(WorkedExample());
  ASSERT_TRUE(c.ok());
  v1::AddFollowUpRequest f;
  f.set_id(c->id());
  f.set_expected_version(1);
  f.set_task("ケアマネジャーに一般の訪問診療医で対応できるか確認する");
  f.set_owner("コーディネーター");
  *f.mutable_due() = common::DateFromNumber(20261126);
  auto added = intake_->AddFollowUp(f);
  ASSERT_TRUE(added.ok()) << added.status();
  EXPECT_EQ(intake_->Overdue({})->follow_ups_size(), 0);
  clock_.AdvanceMicros(4LL * 86400 * 1000000);  // 11-28
  auto overdue = intake_->Overdue({});
  ASSERT_TRUE(overdue.ok());
  ASSERT_EQ(overdue->follow_ups_size(), 1);
  EXPECT_EQ(overdue->follow_ups(0).days_overdue(), 2);
  v1::CompleteFollowUpRequest done;
  done.set_id(c->id());
  done.set_expected_version(2);
  done.set_follow_up_id(added->follow_ups(0).id());
  ASSERT_TRUE(intake_->CompleteFollowUp(done).ok());
  EXPECT_EQ(intake_->Overdue({})->follow_ups_size(), 0);
  f.clear_due();
  f.set_expected_version(3);
  EXPECT_EQ(common::FieldViolationsOf(intake_->AddFollowUp(f).status())[0].first, "due");
}

TEST_F(IntakeTest, NeedGapsCountDemandByCombinationBesideTheSupply) {
  // Two consultations ask for Parkinson's with home visits (matched: only outside), one for
  // dementia (never matched), one for home visits alone (matched inside).
  for (int i = 0; i < 2; ++i) {
    auto c = intake_->Create(WorkedExample());
    ASSERT_TRUE(c.ok()) << c.status();
    v1::MatchResourcesRequest m;
    m.set_id(c->id());
    m.set_expected_version(1);
    ASSERT_TRUE(intake_->Match(m).ok());
  }
  v1::CreateConsultationRequest dementia;
  dementia.set_channel(v1::CHANNEL_VISIT);
  dementia.set_source_type(v1::SOURCE_TYPE_PATIENT_FAMILY);
  dementia.add_needs()->set_capability("dementia");
  ASSERT_TRUE(intake_->Create(dementia).ok());
  v1::CreateConsultationRequest visits = dementia;
  visits.mutable_needs(0)->set_capability("home_visit_medical");
  auto v = intake_->Create(visits);
  ASSERT_TRUE(v.ok());
  v1::MatchResourcesRequest m;
  m.set_id(v->id());
  m.set_expected_version(1);
  ASSERT_TRUE(intake_->Match(m).ok());

  auto report = intake_->NeedGaps({});
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->fiscal_year(), 2026);
  EXPECT_EQ(common::DateNumber(report->from()), 20260401);
  EXPECT_EQ(common::DateNumber(report->to()), 20261124);  // today, before the year's end
  EXPECT_FALSE(report->supply_unavailable());
  ASSERT_EQ(report->gaps_size(), 3);
  // Supply gaps first: Parkinson's with home visits (demand 2), then dementia (demand 1).
  const auto& parkinsons = report->gaps(0);
  EXPECT_THAT(parkinsons.capabilities(), ElementsAre("parkinsons", "home_visit_medical"));
  EXPECT_EQ(parkinsons.label(), "パーキンソン病＋訪問診療");
  EXPECT_EQ(parkinsons.consultations(), 2);
  EXPECT_EQ(parkinsons.matched_outside(), 2);
  EXPECT_EQ(parkinsons.matched_inside() + parkinsons.unmatched(), 0);
  EXPECT_TRUE(parkinsons.supply_gap());
  EXPECT_EQ(parkinsons.located_in(), 0);
  EXPECT_EQ(parkinsons.nearest_outside().name(), "てんかんと脳神経内科の訪問クリニック柏");
  EXPECT_EQ(report->gaps(1).label(), "認知症");
  EXPECT_EQ(report->gaps(1).unmatched(), 1);
  EXPECT_TRUE(report->gaps(1).supply_gap());
  EXPECT_EQ(report->gaps(2).label(), "訪問診療");
  EXPECT_EQ(report->gaps(2).matched_inside(), 1);
  EXPECT_FALSE(report->gaps(2).supply_gap());
  EXPECT_EQ(report->gaps(2).located_in(), 1);

  // The directory down: the demand stands, the supply is said to be unknown.
  finder_.down = true;
  auto without = intake_->NeedGaps({});
  ASSERT_TRUE(without.ok());
  EXPECT_TRUE(without->supply_unavailable());
  EXPECT_EQ(without->gaps(0).consultations(), 2);
  EXPECT_FALSE(without->gaps(0).supply_gap());
  finder_.down = false;

  v1::GetNeedGapsRequest next_year;
  next_year.set_fiscal_year(2027);
  EXPECT_EQ(common::FieldViolationsOf(intake_->NeedGaps(next_year).status())[0].first,
            "fiscal_year");
  v1::GetNeedGapsRequest last_year;
  last_year.set_fiscal_year(2025);
  EXPECT_EQ(intake_->NeedGaps(last_year)->gaps_size(), 0);
}

TEST_F(IntakeTest, DigestCountsThePeriodAndWritesABrief) {
  auto c = intake_->Create(WorkedExample());
  ASSERT_TRUE(c.ok());
  v1::CreateConsultationRequest family;
  family.set_channel(v1::CHANNEL_VISIT);
  family.set_source_type(v1::SOURCE_TYPE_PATIENT_FAMILY);
  family.add_needs()->set_capability("dementia");
  ASSERT_TRUE(intake_->Create(family).ok());
  v1::MatchResourcesRequest m;
  m.set_id(c->id());
  m.set_expected_version(1);
  ASSERT_TRUE(intake_->Match(m).ok());
  v1::RaiseIssueSeedRequest seed;
  seed.set_id(c->id());
  seed.set_expected_version(2);
  seed.set_theme("在宅医と専門医が相談しやすい仕組み");
  seed.add_tags("専門医連携");
  seed.set_capability("parkinsons");
  ASSERT_TRUE(intake_->RaiseSeed(seed).ok());

  v1::GetDigestRequest req;
  *req.mutable_from() = common::DateFromNumber(20261101);
  *req.mutable_to() = common::DateFromNumber(20261130);
  auto d = intake_->Digest(req);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->consultations(), 2);
  std::map<std::string, int> by_source;
  for (const auto& r : d->by_source_type()) by_source[r.key()] = r.count();
  EXPECT_EQ(by_source["SOURCE_TYPE_CARE_MANAGER_SUPPORT_CENTER"], 1);
  EXPECT_EQ(by_source["SOURCE_TYPE_PATIENT_FAMILY"], 1);
  EXPECT_EQ(by_source["SOURCE_TYPE_COORDINATOR"], 0);
  ASSERT_EQ(d->by_source_type_size(), 4);  // the four sources, always in this order
  EXPECT_EQ(d->by_source_type(0).label(), "患者・家族");
  EXPECT_EQ(d->by_source_type(3).label(), "コーディネーター");
  ASSERT_EQ(d->resource_gaps_size(), 1);
  EXPECT_EQ(d->resource_gaps(0).capability(), "parkinsons");
  EXPECT_EQ(d->resource_gaps(0).label(), "パーキンソン病＋訪問診療");
  EXPECT_EQ(d->resource_gaps(0).nearest_outside_name(), "てんかんと脳神経内科の訪問クリニック柏");
  EXPECT_EQ(d->seeds_size(), 2);  // the automatic one and the coordinator's
  EXPECT_THAT(d->markdown(), HasSubstr("# 定例ミーティング資料 — 稲城市 (132250)"));
  EXPECT_THAT(d->markdown(), HasSubstr("在宅医と専門医が相談しやすい仕組み"));
  EXPECT_THAT(d->markdown(), HasSubstr("49.7 km"));

  req.mutable_to()->set_month(2);
  EXPECT_EQ(common::FieldViolationsOf(intake_->Digest(req).status())[0].first, "to");
}

TEST_F(IntakeTest, PersonalFieldsAreSealedAtRestAndReadBackExactly) {
  const v1::Consultation c = FullFlow(v1::CONSULTATION_STATUS_CLOSED);
  ASSERT_EQ(c.status(), v1::CONSULTATION_STATUS_CLOSED);
  auto read = intake_->Get(c.id());
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->SerializeAsString(), c.SerializeAsString());

  const auto personal = common::PersonalStrings(c);
  ASSERT_GE(personal.size(), 11u);  // names, contact, birth date, address, narrative, notes...
  // No key or value of any column family (records, indexes, outbox) holds one of them ...
  for (const auto& p : personal) {
    EXPECT_THAT(renkei::testing::StoreEntriesContaining(*domain_.store, p), IsEmpty()) << p;
  }
  // ... nor any file, flushed uncompressed; the same scan finds the clear part's text.
  ASSERT_TRUE(domain_.store->CompactAll().ok());
  auto files = renkei::testing::FilesContaining(
      tmp_.Sub("db"), std::vector<std::string>(personal.begin(), personal.end()));
  for (const auto& [p, where] : files) EXPECT_THAT(where, IsEmpty()) << p;
  EXPECT_THAT(
      renkei::testing::FilesContaining(tmp_.Sub("db"), "てんかんと脳神経内科の訪問クリニック柏"),
      ::testing::Contains(::testing::EndsWith(".sst")));
}

TEST_F(IntakeTest, RetentionErasesPersonalFieldsOfLongClosedConsultationsAndKeepsEveryCount) {
  const v1::Consultation closed = FullFlow(v1::CONSULTATION_STATUS_CLOSED);
  const v1::Consultation open = FullFlow(v1::CONSULTATION_STATUS_UNSPECIFIED);
  clock_.AdvanceMicros(10LL * 86400 * 1000000);
  const v1::Consultation unresolved_later = FullFlow(v1::CONSULTATION_STATUS_UNRESOLVED);
  const auto ciphertext = [&](const std::string& id) {
    v1::SealedRecord r;
    EXPECT_TRUE(
        r.ParseFromString(domain_.store->Get(domain_.store->Cf("consultations"), id)->substr(2)));
    return r;
  };
  const v1::SealedRecord sealed_before = ciphertext(closed.id());
  ASSERT_FALSE(sealed_before.sealed().empty());
  // Control: flushed uncompressed, the sealed bytes are found by a raw scan of the files.
  ASSERT_TRUE(domain_.store->CompactAll().ok());
  ASSERT_THAT(renkei::testing::FilesContaining(tmp_.Sub("db"), sealed_before.sealed()),
              ::testing::Not(IsEmpty()));

  // 30 days: `closed` ended 10 days ago, `unresolved_later` just now.
  EXPECT_EQ(*intake_->ErasePersonalData(0), 0);  // 0: kept
  EXPECT_EQ(*intake_->ErasePersonalData(30), 0);
  clock_.AdvanceMicros(20LL * 86400 * 1000000 + 1000000);
  // The statistics as of now (the digest's overdue list depends on the day).
  v1::GetDigestRequest period;
  *period.mutable_from() = common::DateFromNumber(20261101);
  *period.mutable_to() = common::DateFromNumber(20261231);
  v1::Digest digest_before = *intake_->Digest(period);
  const auto list_before = *intake_->List({});
  const size_t events_before = domain_.Events().size();
  auto erased = intake_->ErasePersonalData(30);
  ASSERT_TRUE(erased.ok()) << erased.status();
  EXPECT_EQ(*erased, 1);
  EXPECT_EQ(*intake_->ErasePersonalData(30), 0);  // nothing left to do

  // The erased consultation is its de-identified record, byte for byte; the others are whole.
  v1::Consultation stripped = closed;
  common::StripPersonal(&stripped);
  EXPECT_EQ(intake_->Get(closed.id())->SerializeAsString(), stripped.SerializeAsString());
  EXPECT_EQ(ciphertext(closed.id()).clear(), sealed_before.clear());
  EXPECT_EQ(intake_->Get(open.id())->SerializeAsString(), open.SerializeAsString());
  EXPECT_EQ(intake_->Get(unresolved_later.id())->SerializeAsString(),
            unresolved_later.SerializeAsString());
  // Every statistic is unchanged, and nothing was published.
  v1::Digest digest_after = *intake_->Digest(period);
  EXPECT_EQ(digest_after.consultations(), digest_before.consultations());
  EXPECT_EQ(digest_before.consultations(), 3);
  EXPECT_EQ(digest_before.seeds_size(), 6);  // a gap seed and a theme per consultation
  EXPECT_EQ(digest_before.overdue_follow_ups_size(), 3);
  EXPECT_EQ(digest_after.overdue_follow_ups_size(), digest_before.overdue_follow_ups_size());
  for (auto* d : {&digest_after, &digest_before}) {
    common::StripPersonal(d);
    d->clear_markdown();  // the brief quotes seed themes and follow-up tasks
  }
  EXPECT_EQ(digest_after.SerializeAsString(), digest_before.SerializeAsString());
  EXPECT_EQ(intake_->List({})->SerializeAsString(), list_before.SerializeAsString());
  EXPECT_EQ(domain_.Events().size(), events_before);

  // The sweep compacted: the erased ciphertext is gone from every file, so not even the data key
  // could bring the personal fields back from the disk. The other records' are still there.
  EXPECT_THAT(renkei::testing::FilesContaining(tmp_.Sub("db"), sealed_before.sealed()), IsEmpty());
  EXPECT_THAT(renkei::testing::FilesContaining(tmp_.Sub("db"), ciphertext(open.id()).sealed()),
              ::testing::Not(IsEmpty()));
  // UNRESOLVED counts as ended too. Reopened after its erasure, a consultation starts without
  // personal fields and seals new ones as before.
  clock_.AdvanceMicros(10LL * 86400 * 1000000);
  EXPECT_EQ(*intake_->ErasePersonalData(30), 1);
  EXPECT_TRUE(intake_->Get(unresolved_later.id())->requester().name().empty());
  v1::ChangeStatusRequest reopen;
  reopen.set_id(unresolved_later.id());
  reopen.set_expected_version(unresolved_later.version());
  reopen.set_status(v1::CONSULTATION_STATUS_ASSESSING);
  auto reopened = intake_->ChangeStatus(reopen);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_TRUE(reopened->person().name().empty());
  v1::UpdateConsultationRequest update;
  update.set_id(unresolved_later.id());
  update.set_expected_version(reopened->version());
  update.mutable_person()->set_name("再相談 花子");
  ASSERT_TRUE(intake_->Update(update).ok());
  EXPECT_EQ(intake_->Get(unresolved_later.id())->person().name(), "再相談 花子");
  EXPECT_THAT(renkei::testing::StoreEntriesContaining(*domain_.store, "再相談 花子"), IsEmpty());
}

TEST_F(IntakeTest, TheRetentionSweeperRunsAtStartAndThenEveryPeriod) {
  const v1::Consultation closed = FullFlow(v1::CONSULTATION_STATUS_CLOSED);
  clock_.AdvanceMicros(31LL * 86400 * 1000000);
  RetentionSweeper sweeper(intake_.get(), 30, std::chrono::milliseconds(20));
  sweeper.Start();
  EXPECT_TRUE(renkei::testing::WaitFor([&] { return sweeper.sweeps() >= 1; }));
  EXPECT_TRUE(intake_->Get(closed.id())->person().name().empty());
  const v1::Consultation later = FullFlow(v1::CONSULTATION_STATUS_CLOSED);
  clock_.AdvanceMicros(31LL * 86400 * 1000000);
  EXPECT_TRUE(
      renkei::testing::WaitFor([&] { return intake_->Get(later.id())->person().name().empty(); }));
  sweeper.Stop();
  const int sweeps = sweeper.sweeps();
  EXPECT_GE(sweeps, 2);
  sweeper.Stop();  // idempotent
  EXPECT_EQ(sweeper.sweeps(), sweeps);
}

TEST_F(IntakeTest, ListsNewestFirstWithPages) {
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    clock_.AdvanceMicros(60LL * 1000000);
    ids.push_back(intake_->Create(WorkedExample())->id());
  }
  v1::ListConsultationsRequest req;
  req.set_page_size(2);
  std::vector<std::string> seen;
  for (int page = 0; page < 5; ++page) {
    auto r = intake_->List(req);
    ASSERT_TRUE(r.ok()) << r.status();
    for (const auto& c : r->consultations()) seen.push_back(c.id());
    if (r->next_page_token().empty()) break;
    req.set_page_token(r->next_page_token());
  }
  std::reverse(ids.begin(), ids.end());
  EXPECT_EQ(seen, ids);
}

}  // namespace
}  // namespace renkei::intake

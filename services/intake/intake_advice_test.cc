// Advice needs: matching proposes coordinators of the network, never a resource gap.
#include <algorithm>
#include <string>
#include <vector>

#include "domain_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "intake.h"
#include "renkei/common/dates.h"
#include "renkei/common/event_counts.h"
#include "renkei/common/ids.h"
#include "renkei/common/validation.h"
#include "testing.h"

namespace renkei::intake {
namespace {

using renkei::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

// A directory whose searches find nothing (an advice need must not search it) and that knows
// one resource by id.
class EmptyDirectory : public ResourceFinder {
 public:
  absl::StatusOr<v1::SearchResourcesResponse> Search(const v1::SearchResourcesRequest&) override {
    ++searches;
    return v1::SearchResourcesResponse();
  }
  absl::StatusOr<v1::GapReport> GapReport(const v1::GetGapReportRequest& q) override {
    v1::GapReport out;
    for (int i = 0; i < q.combinations_size(); ++i) out.add_combinations()->set_gap(true);
    return out;
  }
  absl::StatusOr<v1::Resource> Get(const std::string& id) override {
    if (id != known) return absl::NotFoundError(id);
    v1::Resource r;
    r.set_id(id);
    r.set_name("どこかの診療所");
    r.set_municipality_code("132250");
    return r;
  }
  int searches = 0;
  std::string known;  // the one resource Get finds
};

// The network's profiles as a municipality knows them; filters as ListProfiles does.
class FakeNetwork : public CoordinatorFinder {
 public:
  void Add(const std::string& key, const std::string& name, const std::string& jurisdiction,
           v1::NetworkRole role, const std::vector<std::string>& expertise, bool takes = true) {
    v1::CoordinatorProfile p;
    p.set_id(common::DeterministicId("coo", key));
    p.set_name(name);
    p.set_affiliation(name + "の所属");
    p.set_jurisdiction_code(jurisdiction);
    p.set_role(role);
    for (const auto& e : expertise) p.add_expertise(e);
    p.set_takes_peer_consultations(takes);
    profiles_.push_back(std::move(p));
  }
  absl::StatusOr<v1::ListProfilesResponse> ListProfiles(const v1::ListProfilesRequest& q) override {
    last = q;
    if (down) return absl::UnavailableError("network down");
    v1::ListProfilesResponse out;
    for (const auto& p : profiles_) {
      if (q.takes_peer_consultations_only() && !p.takes_peer_consultations()) continue;
      const bool all = std::all_of(q.expertise().begin(), q.expertise().end(), [&](const auto& e) {
        return std::find(p.expertise().begin(), p.expertise().end(), e) != p.expertise().end();
      });
      if (all) *out.add_profiles() = p;
    }
    return out;
  }
  v1::ListProfilesRequest last;
  bool down = false;

 private:
  std::vector<v1::CoordinatorProfile> profiles_;
};

class IntakeAdviceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_.SetMicros(common::TokyoStartOfDay(common::DateFromNumber(20261124)) +
                     10LL * 3600 * 1000000);
    // In the network's order: a Tokyo lead, a Chofu coordinator, one who takes no peer
    // consultations, one without the expertise, and Inagi's own.
    network_.Add("tokyo-lead", "東京 統括", "130001", v1::NETWORK_ROLE_LEAD_COORDINATOR,
                 {"end_of_life_care", "dementia"});
    network_.Add("chofu", "調布 コーディネーター", "132080", v1::NETWORK_ROLE_COORDINATOR,
                 {"end_of_life_care"});
    network_.Add("busy", "多忙 コーディネーター", "132080", v1::NETWORK_ROLE_COORDINATOR,
                 {"end_of_life_care"}, /*takes=*/false);
    network_.Add("other", "別分野 コーディネーター", "132250", v1::NETWORK_ROLE_COORDINATOR,
                 {"dementia"});
    network_.Add("inagi", "稲城 コーディネーター", "132250", v1::NETWORK_ROLE_COORDINATOR,
                 {"end_of_life_care"});
    Make(&network_);
  }
  void Make(CoordinatorFinder* network) {
    IntakeOptions options;
    options.municipality_code = "132250";
    options.coordinators = network;
    intake_ = std::make_unique<Intake>(
        domain_.store.get(), domain_.outbox.get(), domain_.sealer.get(),
        common::EventSource{"m132250", &clock_}, &vocab_, &directory_, options, &clock_);
  }
  v1::CreateConsultationRequest AdviceConsultation() {
    v1::CreateConsultationRequest r;
    r.set_channel(v1::CHANNEL_PHONE);
    r.set_source_type(v1::SOURCE_TYPE_COORDINATOR);
    r.mutable_requester()->set_name("調布の相談員");
    r.set_narrative("看取りの体制づくりについて助言がほしい");
    auto* need = r.add_needs();
    need->set_capability("end_of_life_care");
    need->set_advice(true);
    return r;
  }
  absl::StatusOr<v1::MatchResourcesResponse> MatchNew() {
    auto c = intake_->Create(AdviceConsultation());
    if (!c.ok()) return c.status();
    v1::MatchResourcesRequest m;
    m.set_id(c->id());
    m.set_expected_version(c->version());
    return intake_->Match(m);
  }

  renkei::testing::TempDir tmp_;
  renkei::testing::DomainStore domain_{tmp_.Sub("db"), ConsultationStore::ColumnFamilies()};
  common::FakeClock clock_;
  common::CapabilityVocabulary vocab_;
  EmptyDirectory directory_;
  FakeNetwork network_;
  std::unique_ptr<Intake> intake_;
};

TEST_F(IntakeAdviceTest, ProposesCoordinatorsOwnFirstThenLeadsAndNeverAGap) {
  auto matched = MatchNew();
  ASSERT_TRUE(matched.ok()) << matched.status();
  const auto& con = matched->consultation();
  const auto& need = con.needs(0);
  EXPECT_TRUE(need.advice());
  EXPECT_FALSE(need.resource_gap());
  EXPECT_THAT(need.candidates(), IsEmpty());
  std::vector<std::string> names;
  for (const auto& c : need.coordinators()) names.push_back(c.name());
  EXPECT_THAT(names, ElementsAre("稲城 コーディネーター", "東京 統括", "調布 コーディネーター"));
  EXPECT_TRUE(need.coordinators(1).lead_coordinator());
  EXPECT_EQ(need.coordinators(1).jurisdiction_code(), "130001");
  EXPECT_EQ(need.coordinators(0).profile_id(), common::DeterministicId("coo", "inagi"));
  EXPECT_THAT(need.coordinators(0).expertise(), ElementsAre("end_of_life_care"));
  EXPECT_TRUE(network_.last.takes_peer_consultations_only());
  EXPECT_THAT(network_.last.expertise(), ElementsAre("end_of_life_care"));
  EXPECT_EQ(directory_.searches, 0);
  EXPECT_EQ(con.status(), v1::CONSULTATION_STATUS_MATCHED);
  EXPECT_THAT(con.seeds(), IsEmpty());
  EXPECT_THAT(domain_.EventTypes(),
              ElementsAre("consultation_received", "need_recorded", "match_found"));
  const auto events = domain_.Events();
  EXPECT_TRUE(events[1].need_recorded().advice());
  const auto& found = events[2].match_found();
  EXPECT_TRUE(found.advice());
  EXPECT_EQ(found.inside(), 0);
  EXPECT_THAT(found.coordinator_profile_ids(),
              ElementsAre(common::DeterministicId("coo", "inagi"),
                          common::DeterministicId("coo", "tokyo-lead"),
                          common::DeterministicId("coo", "chofu")));
  // Not counted in the share of needs matched inside (that is about resources).
  EXPECT_THAT(common::IncrementsOf(events[2]), IsEmpty());
}

TEST_F(IntakeAdviceTest, NoCoordinatorWithTheExpertiseIsStillNoGapAndNoSeed) {
  auto c = AdviceConsultation();
  c.mutable_needs(0)->add_also_requires("parkinsons");  // nobody knows both
  auto created = intake_->Create(c);
  ASSERT_TRUE(created.ok()) << created.status();
  v1::MatchResourcesRequest m;
  m.set_id(created->id());
  m.set_expected_version(1);
  auto matched = intake_->Match(m);
  ASSERT_TRUE(matched.ok()) << matched.status();
  EXPECT_THAT(network_.last.expertise(), ElementsAre("end_of_life_care", "parkinsons"));
  EXPECT_THAT(matched->consultation().needs(0).coordinators(), IsEmpty());
  EXPECT_FALSE(matched->consultation().needs(0).resource_gap());
  EXPECT_THAT(matched->consultation().seeds(), IsEmpty());
  EXPECT_EQ(matched->consultation().status(), v1::CONSULTATION_STATUS_RECEIVED);
  EXPECT_THAT(domain_.EventTypes(),
              ElementsAre("consultation_received", "need_recorded", "match_found"));
}

TEST_F(IntakeAdviceTest, AdviceNeedsTakeNoKindOrAreaAndNeedTheNetwork) {
  auto c = AdviceConsultation();
  c.mutable_needs(0)->set_kind(v1::RESOURCE_KIND_CLINIC);
  c.mutable_needs(0)->set_area_preference(v1::AREA_PREFERENCE_INSIDE_FIRST);
  auto refused = intake_->Create(c);
  EXPECT_THAT(refused.status(), StatusIs(absl::StatusCode::kInvalidArgument));
  std::vector<std::string> fields;
  for (const auto& [field, message] : common::FieldViolationsOf(refused.status())) {
    fields.push_back(field);
  }
  EXPECT_THAT(fields, ElementsAre("needs[0].kind", "needs[0].area_preference"));
  EXPECT_THAT(domain_.EventTypes(), IsEmpty());

  network_.down = true;  // the network service unreachable: UNAVAILABLE, nothing written
  auto created = intake_->Create(AdviceConsultation());
  ASSERT_TRUE(created.ok());
  v1::MatchResourcesRequest m;
  m.set_id(created->id());
  m.set_expected_version(1);
  EXPECT_THAT(intake_->Match(m).status(), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_EQ(intake_->Get(created->id())->version(), 1);

  Make(nullptr);  // no network configured: refused, saying so
  auto none = intake_->Match(m);
  EXPECT_THAT(none.status(), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(intake_->Get(created->id())->version(), 1);
  // Nor is a new advice need recorded: it could never be matched.
  auto unmatchable = intake_->Create(AdviceConsultation());
  EXPECT_THAT(unmatchable.status(), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(std::string(unmatchable.status().message()),
              ::testing::HasSubstr("助言のニーズは登録できません"));
  EXPECT_THAT(domain_.EventTypes(), ElementsAre("consultation_received", "need_recorded"));
}

TEST_F(IntakeAdviceTest, AtMostFourFurtherAreasOfExpertise) {
  auto c = AdviceConsultation();
  for (const char* code : {"parkinsons", "dementia", "home_visit_medical", "home_visit_nursing",
                           "home_visit_rehabilitation"}) {
    c.mutable_needs(0)->add_also_requires(code);
  }
  auto refused = intake_->Create(c);
  EXPECT_THAT(refused.status(), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(common::FieldViolationsOf(refused.status()),
              ElementsAre(::testing::Pair("needs[0].also_requires", ::testing::_)));
  c.mutable_needs(0)->mutable_also_requires()->RemoveLast();  // four: accepted
  EXPECT_TRUE(intake_->Create(c).ok());
}

TEST_F(IntakeAdviceTest, AServiceAndAnAdviceNeedInOneConsultation) {
  auto r = AdviceConsultation();
  auto* service = r.add_needs();  // a service nobody in the (empty) directory offers
  service->set_capability("home_visit_medical");
  auto c = intake_->Create(r);
  ASSERT_TRUE(c.ok()) << c.status();
  v1::MatchResourcesRequest m;
  m.set_id(c->id());
  m.set_expected_version(1);
  m.set_candidates_per_need(2);  // three coordinators have the expertise: the first two
  auto matched = intake_->Match(m);
  ASSERT_TRUE(matched.ok()) << matched.status();
  const auto& con = matched->consultation();
  ASSERT_EQ(con.needs(0).coordinators_size(), 2);
  EXPECT_EQ(con.needs(0).coordinators(1).name(), "東京 統括");
  EXPECT_FALSE(con.needs(0).resource_gap());
  EXPECT_TRUE(con.needs(1).resource_gap());  // the service need is a gap, with its seed
  ASSERT_EQ(con.seeds_size(), 1);
  EXPECT_EQ(con.seeds(0).capability(), "home_visit_medical");
  EXPECT_EQ(directory_.searches, 2);  // inside, then nearest: for the service need only

  // An advice need is not referred to a resource.
  v1::ReferRequest refer;
  refer.set_id(c->id());
  refer.set_expected_version(con.version());
  refer.set_need_id(con.needs(0).id());
  refer.set_resource_id(common::DeterministicId("res", "any"));
  *refer.mutable_response_due() = common::DateFromNumber(20261201);
  directory_.known = refer.resource_id();
  auto referred = intake_->Refer(refer);
  EXPECT_THAT(referred.status(), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(common::FieldViolationsOf(referred.status()),
              ElementsAre(::testing::Pair("need_id", ::testing::_)));

  // Matching again replaces the coordinators proposed.
  m.set_expected_version(con.version());
  m.set_candidates_per_need(1);
  auto again = intake_->Match(m);
  ASSERT_TRUE(again.ok()) << again.status();
  ASSERT_EQ(again->consultation().needs(0).coordinators_size(), 1);
  EXPECT_EQ(again->consultation().needs(0).coordinators(0).name(), "稲城 コーディネーター");

  // The digest counts the advice need apart from the resources asked.
  v1::GetDigestRequest digest;
  *digest.mutable_from() = common::DateFromNumber(20261101);
  *digest.mutable_to() = common::DateFromNumber(20261130);
  auto d = intake_->Digest(digest);
  ASSERT_TRUE(d.ok()) << d.status();
  std::vector<std::string> rows;
  for (const auto& row : d->by_capability()) rows.push_back(row.label());
  EXPECT_THAT(rows, ::testing::UnorderedElementsAre("看取り (助言)", "訪問診療"));
}

}  // namespace
}  // namespace renkei::intake
